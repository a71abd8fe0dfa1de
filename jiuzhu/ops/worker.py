"""The worker's heartbeat and the reaper of tasks whose worker died (killed, machine lost).

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a worker
killed with SIGKILL (or the OOM killer, or a lost machine) leaves it RUNNING for ever. Each worker
therefore keeps a heartbeat row fresh from a thread, and on every beat puts back to READY the
RUNNING tasks whose worker's heartbeat is stale, so another worker runs them. The tasks are written
to be safe to run again (a document's PDF is replaced, a message already sent is not sent twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

logger = logging.getLogger("jiuzhu.ops")


def heartbeat_seconds() -> float:
    return float(getattr(settings, "JIUZHU_WORKER_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> float:
    return float(getattr(settings, "JIUZHU_WORKER_STALE_SECONDS", 60))


def beat(worker_id: str, started_at: dt.datetime) -> None:
    from jiuzhu.ops.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:200], "pid": os.getpid(), "started_at": started_at,
                  "seen_at": timezone.now()})


def reap_orphans(now: dt.datetime | None = None) -> list[str]:
    """Put back to READY every RUNNING task whose worker has no fresh heartbeat; return their ids."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from jiuzhu.ops.models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds())
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    reaped = []
    for pk in DBTaskResult.objects.running().values_list("pk", flat=True):
        with transaction.atomic():
            row = DBTaskResult.objects.select_for_update().filter(pk=pk, status=TaskResultStatus.RUNNING).first()
            if row is None:
                continue
            owner = row.worker_ids[-1] if row.worker_ids else None
            seen = beats.get(owner)
            dead = seen < cutoff if seen is not None else (row.started_at or now) < cutoff
            if not dead:
                continue
            row.status = TaskResultStatus.READY
            row.started_at = None
            row.save(update_fields=["status", "started_at"])
            reaped.append(str(pk))
            logger.warning("task %s (%s) was left running by dead worker %s: queued again",
                           pk, row.task_path, owner)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return reaped


class Heartbeat(threading.Thread):
    """Daemon thread: beat and reap every JIUZHU_WORKER_HEARTBEAT_SECONDS until stopped."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="jiuzhu-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id, self.started_at)
                reap_orphans()
            except Exception:  # the database is away for a moment: try again on the next beat
                logger.exception("worker heartbeat failed")
            self.stopped.wait(heartbeat_seconds())
        connections.close_all()

    def stop(self) -> None:
        from jiuzhu.ops.models import WorkerHeartbeat

        self.stopped.set()
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.exception("could not remove the heartbeat of %s", self.worker_id)
