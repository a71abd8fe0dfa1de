"""The decision family: the grant and refusal decisions and the service receipt (送达回证)."""

from __future__ import annotations

from typing import Any

from jiuzhu.cases.actions import CaseActionError
from jiuzhu.cases.models import (
    AidCase,
)
from jiuzhu.documents.context.common import (
    DEFAULT_OTHER_HELP,
    PAYMENT_METHODS,
    RULES,
    _need,
    category_text,
    ground_text,
    paragraphs,
)
from jiuzhu.documents.context.review import review_facts
from jiuzhu.documents.money import rmb_upper, yuan


def _subject_grant(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.decision == AidCase.Decision.GRANT, "本案尚未决定给予救助，不能制作国家司法救助决定书。")
    return ""



def _subject_refusal(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.decision == AidCase.Decision.REFUSE, "本案未决定不予救助，不能制作不予救助决定书。")
    return ""






def _payment_method(case: AidCase, extra: dict[str, Any]) -> str:
    method = extra.get("payment_method") or case.payment_method or AidCase.PaymentMethod.LUMP_SUM
    if method not in PAYMENT_METHODS:
        raise CaseActionError("发放方式不正确。")
    return PAYMENT_METHODS[method]



def _grant_decision(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    assert case.decided_amount is not None
    opinion = case.opinions.order_by("-submitted_at", "-pk").first()
    facts = review_facts(case, opinion)
    if opinion is not None and opinion.proposed_amount and case.decided_amount != opinion.proposed_amount:
        facts.append(f"经审批，决定救助金额为人民币{yuan(case.decided_amount)}。")
    joint = str(extra.get("joint_aid", "")).strip()
    return {
        "facts_paragraphs": facts or ["申请人因案件遭受损害，生活困难，未能通过诉讼获得有效赔偿。"],
        "reasons_paragraphs": paragraphs(case.decision_reasons),
        "category_text": category_text(case.category),
        "amount": yuan(case.decided_amount),
        "amount_upper": rmb_upper(case.decided_amount),
        "payment_method_text": _payment_method(case, extra),
        "joint_aid_text": joint,
    }



def _refusal_decision(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    grounds = [ground_text(g) for g in case.refusal_grounds] or [
        f"申请人不符合{RULES}规定的国家司法救助条件"]
    return {
        "grounds": [g + "。" for g in grounds],
        "reasons_paragraphs": paragraphs(case.decision_reasons),
        "other_help": str(extra.get("other_help", "")).strip() or DEFAULT_OTHER_HELP,
    }



