"""The daily sweep: the worker's one recurring job, composed of every app's part, in this order.

Each part is idempotent (running twice on one day changes nothing the second time) and is the app's
own: the cases' lapses and overdue reminders, the "1+N" feedback, visits and list purges, then the SMS
that failed or that carry the staff's notices. `jiuzhu daily_sweep` runs it now or enqueues it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.tasks import task

from jiuzhu.cases import tasks as cases_tasks
from jiuzhu.lib import clock
from jiuzhu.notifications.tasks import retry_unsent, sms_for_notices
from jiuzhu.support import tasks as support_tasks

logger = logging.getLogger("jiuzhu.cases")


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """Run the apps' daily parts for TODAY (default: the clock's today); return their counts."""
    today = today or clock.today()
    counts = cases_tasks.sweep(today)  # lapsed supplements, the holiday-table warning, overdue steps
    counts.update(support_tasks.sweep(today))  # "1+N" feedback, visits, list purges
    return counts


@task()
def daily_sweep() -> dict[str, int]:
    """The worker's daily job; re-enqueues itself for the next morning."""
    result = sweep()
    result["sms_retried"] = retry_unsent()  # messages the gateway failed to take (fewer than 5 attempts)
    result["sms"] = sms_for_notices()  # the staff's notices also by SMS, sent after this commits
    logger.info("daily sweep: %s", result)
    schedule_next()
    return result


def schedule_next() -> None:
    """Enqueue the next daily sweep for 08:00 tomorrow (Asia/Shanghai), unless one is pending."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(task_path=daily_sweep.module_path, status="READY").exists()
    if pending:
        return
    tomorrow = clock.today() + dt.timedelta(days=1)
    run_after = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(8, 0)))
    daily_sweep.using(run_after=run_after).enqueue()
