"""Tell an online applicant by SMS when their case moves (missing material, decision, payment).

Hooked on CaseEvent rows, which every case action writes: the message record is written in the
action's transaction and sent only after it commits (notifications.outbound.queue).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from jiuzhu.cases.models import CaseEvent

WATCHED = {"request_supplement", "accept", "decide_grant", "decide_refuse", "record_payment"}


@receiver(post_save, sender=CaseEvent, dispatch_uid="portal_case_event_sms")
def case_event_sms(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.action not in WATCHED:
        return
    from django.utils import translation

    from jiuzhu.cases import deadlines
    from jiuzhu.cases.models import AidCase, Deadline
    from jiuzhu.lib import clock, i18n
    from jiuzhu.notifications import outbound
    from jiuzhu.portal.models import OnlineApplication

    app = (OnlineApplication.objects.filter(case_id=instance.case_id).select_related("org").first())
    if app is None or not app.phone:
        return
    case = AidCase.objects.select_related("handling_org").get(pk=instance.case_id)
    language = case.applicant_language or app.language
    values: dict[str, Any] = {"receipt": app.receipt_number, "org": case.handling_org.name}
    key = {"request_supplement": "supplement", "accept": "accepted", "decide_grant": "decision",
           "decide_refuse": "decision", "record_payment": "payment"}[instance.action]
    if key == "supplement":
        due = deadlines.due_date(case, Deadline.Kind.SUPPLEMENT, clock.today())
        # The template ends the list itself: a note ending in 。 must not give "。。".
        values |= {"missing": instance.note[:200].strip().rstrip("。.；;，, "), "due": i18n.format_date(due, language)}
    elif key == "decision":
        with translation.override(language):
            values["decision"] = (translation.gettext("给予救助%(amount)s") % {
                "amount": i18n.format_amount(case.decided_amount)} if instance.action == "decide_grant"
                else translation.gettext("不予救助"))
    elif key == "payment":
        values["amount"] = instance.data.get("amount") or case.paid_amount
    outbound.queue(key, to=str(app.phone), dedupe_key=f"case_event:{instance.pk}", case=case, language=language,
                   **values)
