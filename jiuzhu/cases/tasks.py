"""The cases part of the daily sweep (jiuzhu.ops.tasks.daily_sweep): lapses and overdue reminders."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q

from jiuzhu.accounts.models import Membership, Role
from jiuzhu.calendar import workdays
from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Deadline, Status
from jiuzhu.lib import clock
from jiuzhu.notifications.models import Notification

logger = logging.getLogger("jiuzhu.cases")


def _notify(recipients: set[int], *, case: AidCase | None, kind: str, text: str, key: str) -> int:
    rows = [Notification(recipient_id=uid, case=case, kind=kind, text=text[:300], created_at=clock.now(),
                         dedupe_key=f"{key}:{uid}"[:120]) for uid in sorted(recipients)]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """Lapse expired supplement requests and remind handlers and department heads of overdue steps.

    Idempotent: running it twice on one day changes nothing the second time.
    """
    today = today or clock.today()
    counts = {"abandoned": 0, "reminded": 0, "notifications": 0}
    expired = (Deadline.objects.filter(kind=Deadline.Kind.SUPPLEMENT, completed_on__isnull=True, due_on__lt=today,
                                       case__status=Status.AWAITING_SUPPLEMENT)
               .select_related("case", "case__handling_org"))
    for deadline in expired:
        case = actions.deem_abandoned(deadline.case, acting_user=None, on=today)
        counts["abandoned"] += 1
        counts["notifications"] += _notify(
            {case.handler_id} if case.handler_id else set(), case=case, kind=Notification.Kind.LAPSED,
            text=f"{case.number}：申请人逾期未补正，已视为放弃申请。", key=f"lapsed:{case.pk}")
    counts["notifications"] += _warn_administrators(today)
    if not workdays.is_working_day(today):
        return counts
    overdue = list(Deadline.objects.filter(completed_on__isnull=True, paused_on__isnull=True, due_on__lt=today)
                   .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today))
                   .select_related("case", "case__handling_org"))
    heads: dict[int, set[int]] = {}
    for m in Membership.objects.filter(role=Role.DEPT_HEAD, is_active=True,
                                       org_id__in={d.case.handling_org_id for d in overdue}):
        heads.setdefault(m.org_id, set()).add(m.user_id)
    for d in overdue:
        case = d.case
        recipients = set(heads.get(case.handling_org_id, set()))
        if case.handler_id:
            recipients.add(case.handler_id)
        days = workdays.working_days_between(d.due_on, today)
        text = f"{case.number}：“{d.get_kind_display()}”期限已于{d.due_on:%Y年%m月%d日}届满，已逾期{days}个工作日。"
        counts["notifications"] += _notify(recipients, case=case, kind=Notification.Kind.OVERDUE, text=text,
                                           key=f"overdue:{d.pk}:{today}")
        counts["reminded"] += 1
    Deadline.objects.filter(pk__in=[d.pk for d in overdue]).update(last_reminded_on=today)
    return counts


def _warn_administrators(today: dt.date) -> int:
    """Tell the administrators once when the holiday table lacks this year or the next."""
    from jiuzhu.calendar.queries import missing_years_warning

    warning = missing_years_warning(today)
    if warning is None:
        return 0
    admins = set(Membership.objects.filter(role=Role.ADMIN, is_active=True).values_list("user_id", flat=True))
    return _notify(admins, case=None, kind=Notification.Kind.CALENDAR, text=warning,
                   key=f"calendar:{warning}"[:100])
