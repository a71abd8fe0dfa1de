"""Tell an applicant who did not apply online by SMS when their case is accepted, decided and paid (issue 13).

Online applicants get these messages from the portal (portal/signals.py: keyed by the receipt number). Every other
applicant (a walk-in, a person referred by the case department or a partner …) with a phone on file gets the same
three messages, keyed by the case number, unless their procuratorate turned the setting `notify.applicant_sms`
off. Hooked on CaseEvent rows like the portal's: the message is recorded in the action's transaction and sent
after it commits (notifications.outbound.queue); the dedupe key is the event, so a message is never sent twice.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from jiuzhu.cases.models import CaseEvent, Channel

KEYS = {"accept": "case_accepted", "decide_grant": "case_decision", "decide_refuse": "case_decision",
        "record_payment": "case_payment"}


@receiver(post_save, sender=CaseEvent, dispatch_uid="cases_applicant_sms")
def applicant_sms(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.action not in KEYS:
        return
    from jiuzhu.cases.models import AidCase
    from jiuzhu.notifications import outbound
    from jiuzhu.orgs.policy import get_setting

    case = AidCase.objects.select_related("handling_org", "applicant").get(pk=instance.case_id)
    if case.channel in (Channel.ONLINE, Channel.LEDGER) or case.applicant is None:
        return  # online: the portal's messages; ledger rows are history
    phone = str(case.applicant.phone or "").strip()
    if not phone or not get_setting(case.handling_org, "notify.applicant_sms"):
        return
    from django.utils import translation

    from jiuzhu.lib import i18n

    language = case.applicant_language
    values: dict[str, Any] = {"case_number": case.number, "org": case.handling_org.name}
    if instance.action in ("decide_grant", "decide_refuse") and language != "bo":
        values["decision"] = f"给予救助{case.decided_amount}元" if instance.action == "decide_grant" else "不予救助"
    elif instance.action in ("decide_grant", "decide_refuse"):
        # In Tibetan: the portal's decision words, from the catalogue.
        with translation.override(language):
            values["decision"] = (translation.gettext("给予救助%(amount)s") % {
                "amount": i18n.format_amount(case.decided_amount)} if instance.action == "decide_grant"
                else translation.gettext("不予救助"))
    elif instance.action == "record_payment":
        values["amount"] = instance.data.get("amount") or case.paid_amount
    outbound.queue(KEYS[instance.action], to=phone, dedupe_key=f"case_event:{instance.pk}", case=case,
                  language=language, **values)
