"""Background work of the stats app, run by the django.tasks database worker (`jiuzhu db_worker`)."""

from __future__ import annotations

import logging

from django.tasks import task

logger = logging.getLogger("jiuzhu.stats")


@task()
def run_ledger_import(job_id: int) -> str:
    """Check and import one uploaded ledger; return its status."""
    from jiuzhu.stats.actions import run_import

    job = run_import(job_id)
    logger.info("ledger import %s: %s", job.pk, job.status)
    return job.status
