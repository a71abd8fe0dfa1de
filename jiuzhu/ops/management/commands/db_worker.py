"""`jiuzhu db_worker`: django-tasks-db's worker, plus a heartbeat and the reaper of orphaned tasks."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker as upstream

from jiuzhu.ops.worker import Heartbeat


class Command(upstream.Command):
    help = "后台任务进程（django-tasks-db），写入心跳并接管已停止进程遗留的任务"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # A readable default id: host, pid and a random part (unique across the pool).
        parser.set_defaults(worker_id=f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        if options.get("batch"):
            # Drain and exit (cron, tests): not a member of the pool, so no heartbeat and no reaping.
            super().handle(*args, **options)
            return
        hb = Heartbeat(worker_id)
        hb.start()
        try:
            super().handle(*args, **options)
        finally:
            hb.stop()
            logging.getLogger("jiuzhu.ops").info("worker %s stopped", worker_id)
