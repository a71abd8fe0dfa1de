"""The money family: the payment receipt and the entrustment agreement with a custodian."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.cases.actions import CaseActionError
from jiuzhu.cases.models import (
    AidCase,
)
from jiuzhu.documents.context.common import BLANK, _need, cn_date
from jiuzhu.documents.context.decision import _payment_method
from jiuzhu.documents.models import Kind
from jiuzhu.documents.money import rmb_upper, yuan


def _instalment(extra: dict[str, Any]) -> int:
    try:
        n = int(extra.get("instalment") or 1)
    except (TypeError, ValueError):
        n = 0
    _need(1 <= n <= 120, "期数应为1至120之间的整数。")
    return n



def _subject_payment_receipt(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.decision == AidCase.Decision.GRANT and case.funds_arrived_on is not None,
          "救助资金到位后才能制作救助金领取凭证。")
    return f"instalment:{_instalment(extra)}"



def _subject_entrustment(case: AidCase, extra: dict[str, Any]) -> str:
    from jiuzhu.custody.models import EntrustmentAgreement

    agreement = EntrustmentAgreement.objects.filter(case=case).first()
    _need(agreement is not None, "本案尚未登记资金代管委托协议，请先在“第三方资金代管”中登记。")
    return f"agreement:{agreement.pk}"  # type: ignore[union-attr]



def _payment_receipt(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    from jiuzhu.documents.models import IssuedDocument

    assert case.decided_amount is not None
    a = case.applicant
    decision = IssuedDocument.objects.filter(case=case, kind=Kind.GRANT_DECISION,
                                             status=IssuedDocument.Status.ISSUED).first()
    try:
        amount = Decimal(str(extra.get("amount") or (case.paid_amount or case.decided_amount)))
    except InvalidOperation as e:
        raise CaseActionError("本次领取金额不正确。") from e
    if amount <= 0 or amount > case.decided_amount:
        raise CaseActionError(f"本次领取金额应大于零且不超过决定金额{yuan(case.decided_amount)}。")
    return {
        "payee_name": a.name if a else BLANK,
        "payee_id_number": (a.id_number if a else "") or BLANK,
        "decision_number": decision.number if decision else BLANK,
        "amount": yuan(case.decided_amount),
        "amount_upper": rmb_upper(case.decided_amount),
        "instalment": int(subject.split(":")[1]),
        "payment_amount": yuan(amount),
        "payment_amount_upper": rmb_upper(amount),
        "payment_method_text": _payment_method(case, extra),
        "bank_name": (a.bank_name if a else "") or BLANK,
        "bank_account": (a.bank_account if a else "") or BLANK,
        "paid_date": cn_date(case.paid_on),
    }



def _entrustment_agreement(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    from jiuzhu.custody.models import EntrustmentAgreement
    from jiuzhu.documents.models import IssuedDocument

    a = EntrustmentAgreement.objects.select_related("custodian").get(pk=int(subject.split(":")[1]))
    decision = IssuedDocument.objects.filter(case=case, kind=Kind.GRANT_DECISION,
                                             status=IssuedDocument.Status.ISSUED).first()
    account: str = a.custodian.account  # type: ignore[assignment]
    return {
        "guardian_name": a.guardian_name, "custodian_name": a.custodian.name,
        "custodian_kind": a.custodian.get_kind_display(), "custodian_bank": a.custodian.bank_name,
        "custodian_account": account or BLANK, "decision_number": decision.number if decision else BLANK,
        "custody_amount": yuan(a.amount), "custody_amount_upper": rmb_upper(a.amount),
        "signed_date": cn_date(a.signed_on), "ends_date": cn_date(a.ends_on), "purposes": a.purposes,
        "release_schedule": a.release_schedule, "suspend_conditions": a.suspend_conditions,
    }
