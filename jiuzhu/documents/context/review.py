"""The review family: the review report (审查报告) and the approval form (审批表)."""

from __future__ import annotations

from typing import Any

from jiuzhu.cases.models import (
    AidCase,
    RefusalGround,
    ReviewOpinion,
)
from jiuzhu.documents.context.common import (
    BLANK,
    BLANK_DATE,
    _label,
    _latest_opinion,
    _source_text,
    category_text,
    cn_date,
    paragraphs,
)
from jiuzhu.documents.money import rmb_upper, yuan


def _subject_opinion(case: AidCase, extra: dict[str, Any]) -> str:
    return f"opinion:{_latest_opinion(case).pk}"



def _opinion_fields(case: AidCase, opinion: ReviewOpinion) -> dict[str, Any]:
    amount = opinion.proposed_amount
    author = opinion.submitted_by
    return {
        "recommendation": opinion.get_recommendation_display(),
        "reasoning_paragraphs": paragraphs(opinion.reasoning),
        "category_text": category_text(opinion.category),
        "amount": yuan(amount) if amount else "",
        "amount_upper": rmb_upper(amount) if amount else "",
        "amount_text": (f"拟救助金额为人民币{yuan(amount)}（大写：{rmb_upper(amount)}）。" if amount
                        else "建议不予救助，不涉及救助金额。"),
        "opinion_author": author.full_name or author.username,
        "opinion_date": cn_date(opinion.submitted_at.date()),
    }



def _review_report(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    opinion = case.opinions.select_related("submitted_by").get(pk=int(subject.split(":")[1]))
    oc = case.original_case
    checks = []
    for i, code in enumerate(RefusalGround.values, 1):
        g = opinion.grounds.get(code, {})
        checks.append({"no": i, "ground": _label(RefusalGround(code).label),
                       "result": "存在" if g.get("present") else "不存在", "note": g.get("note", "")})
    harm = paragraphs(case.harm_summary) + paragraphs(case.hardship_summary) + paragraphs(case.clue_summary)
    return {
        **_opinion_fields(case, opinion),
        "source_text": _source_text(case),
        "original_case_text": (
            f"原案件案号{oc.case_number}，案由{oc.charge or '未登记'}，诉讼阶段：{oc.get_stage_display() or '未登记'}，"
            f"加害人赔偿能力：{oc.get_offender_ability_display()}。{oc.summary}") if oc else "本案未关联原案件。",
        "harm_paragraphs": harm or ["（未登记）"],
        "checks": checks,
        "amount_basis": str(extra.get("amount_basis", "")),
    }



def _approval_form(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    opinion = case.opinions.select_related("submitted_by").get(pk=int(subject.split(":")[1]))
    decided = case.decision and case.decided_by is not None
    approval = ""
    if decided:
        approval = (f"同意给予国家司法救助，救助金额人民币{yuan(case.decided_amount)}。"
                    if case.decision == AidCase.Decision.GRANT and case.decided_amount else "不予救助。")
        approval += case.decision_reasons
    approver = case.decided_by
    return {
        **_opinion_fields(case, opinion),
        "case_summary": " ".join(paragraphs(case.clue_summary) + paragraphs(case.harm_summary)) or BLANK,
        "aid_reasons": " ".join(paragraphs(case.hardship_summary) + paragraphs(opinion.reasoning)) or BLANK,
        "approval_text": approval or BLANK,
        "approver_name": (approver.full_name or approver.username) if decided and approver else BLANK,
        "approval_date": cn_date(case.decided_on) if decided else BLANK_DATE,
    }
