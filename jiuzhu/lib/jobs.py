"""Enqueueing background work: the one place that names every task (issue 12).

An action that needs work done later asks for it by name (`jobs.enqueue("convert_document", pk)`);
it never imports the tasks module, whose task functions import the actions they run. So the
direction is one way: tasks → actions. The worker (`jiuzhu db_worker`) runs them; see each task's
docstring for what it does and why it is safe to run twice.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

TASKS: dict[str, str] = {
    "convert_document": "jiuzhu.documents.tasks.convert_document",  # .docx → PDF in LibreOffice
    "deliver_message": "jiuzhu.notifications.tasks.deliver_message",  # one SMS to the gateway
    "run_ledger_import": "jiuzhu.stats.tasks.run_ledger_import",  # an uploaded case ledger
    "daily_sweep": "jiuzhu.ops.tasks.daily_sweep",  # deadlines, reminders, visits, purges, SMS retries
}


def task(name: str) -> Any:
    """The task object named NAME (a django.tasks Task)."""
    return import_string(TASKS[name])


def enqueue(name: str, *args: Any, after_commit: bool = False) -> None:
    """Enqueue task NAME with ARGS, now or (AFTER_COMMIT) once the current transaction commits."""
    if after_commit:
        transaction.on_commit(lambda: task(name).enqueue(*args))
    else:
        task(name).enqueue(*args)
