"""The support part of the worker's daily sweep: feedback and visit reminders, visit plans, purges."""

from __future__ import annotations

import datetime as dt

from jiuzhu.accounts.models import Membership, Role
from jiuzhu.calendar import workdays
from jiuzhu.cases.models import AidCase, Status
from jiuzhu.lib import clock
from jiuzhu.notifications.models import Notification
from jiuzhu.orgs.policy import get_setting
from jiuzhu.support import actions
from jiuzhu.support.models import Referral, Visit


def _notify(recipients: set[int], *, case: AidCase, text: str, key: str) -> int:
    rows = [Notification(recipient_id=uid, case=case, kind=Notification.Kind.OVERDUE, text=text[:300],
                         created_at=clock.now(), dedupe_key=f"{key}:{uid}"[:120]) for uid in sorted(recipients)]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """Plan visits of newly paid cases, remind of overdue feedback and visits, purge expired lists.

    Idempotent: a second run on the same day creates nothing new.
    """
    today = today or clock.today()
    counts = {"visits_planned": 0, "referrals_reminded": 0, "referrals_escalated": 0, "visits_reminded": 0,
              "lists_purged": actions.purge_expired_lists(today), "support_notifications": 0}
    for case in (AidCase.objects.filter(status__in=[Status.PAID, Status.FOLLOW_UP], paid_on__isnull=False,
                                        visits__isnull=True).select_related("handling_org")):
        counts["visits_planned"] += len(actions.schedule_visits(case, acting_user=None))
    if not workdays.is_working_day(today):
        return counts
    referrals = list(Referral.objects.filter(status__in=[Referral.Status.SENT, Referral.Status.RECEIVED],
                                             due_on__lt=today).exclude(last_reminded_on=today)
                     .select_related("agency", "case", "case__handling_org"))
    visits = list(Visit.objects.filter(held_on__isnull=True, due_on__lt=today).exclude(last_reminded_on=today)
                  .select_related("case"))
    heads: dict[int, set[int]] = {}
    for m in Membership.objects.filter(role=Role.DEPT_HEAD, is_active=True,
                                       org_id__in={r.case.handling_org_id for r in referrals}):
        heads.setdefault(m.org_id, set()).add(m.user_id)
    escalate_after: dict[int, int] = {}
    escalated: list[int] = []
    for r in referrals:
        case = r.case
        recipients = {uid for uid in (case.handler_id, r.sent_by_id) if uid}
        days = workdays.working_days_between(r.due_on, today)
        org_id = case.handling_org_id
        if org_id not in escalate_after:
            escalate_after[org_id] = get_setting(case.handling_org, "support.referral_escalate_working_days")
        text = f"{case.number}：移送{r.agency.name}的反馈期限已于{r.due_on:%Y年%m月%d日}届满，已逾期{days}个工作日，请督促反馈。"
        if days >= escalate_after[org_id]:
            recipients |= heads.get(org_id, set())
            if r.escalated_on is None:
                escalated.append(r.pk)
                text = f"（提请部门负责人督办）{text}"
        counts["support_notifications"] += _notify(recipients, case=case, text=text, key=f"referral:{r.pk}:{today}")
        counts["referrals_reminded"] += 1
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(last_reminded_on=today)
    counts["referrals_escalated"] = Referral.objects.filter(pk__in=escalated).update(escalated_on=today)
    for v in visits:
        case = v.case
        text = f"{case.number}：发放后第{v.months_after}个月的回访应于{v.due_on:%Y年%m月%d日}前完成，尚未登记。"
        counts["support_notifications"] += _notify({case.handler_id} if case.handler_id else set(), case=case,
                                                   text=text, key=f"visit:{v.pk}:{today}")
        counts["visits_reminded"] += 1
    Visit.objects.filter(pk__in=[v.pk for v in visits]).update(last_reminded_on=today)
    return counts
