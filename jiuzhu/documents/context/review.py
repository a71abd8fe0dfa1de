"""The review family: the review report (审查报告) and the approval form (审批表)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from jiuzhu.cases.models import (
    AidCase,
    ApprovalStep,
    Record,
    RefusalGround,
    ReviewOpinion,
)
from jiuzhu.documents.context.common import (
    BLANK,
    BLANK_DATE,
    RULES,
    _label,
    _latest_opinion,
    _need,
    _source_text,
    category_text,
    cn_date,
    paragraphs,
)
from jiuzhu.documents.money import rmb_upper, yuan
from jiuzhu.lib.models import prefetched
from jiuzhu.rules.amount import AmountFacts, Calculation, calculate
from jiuzhu.rules.errors import RulesError


def _subject_opinion(case: AidCase, extra: dict[str, Any]) -> str:
    return f"opinion:{_latest_opinion(case).pk}"


def _subject_approval(case: AidCase, extra: dict[str, Any]) -> str:
    """The approval form is made when the opinion's route has ended (the decision taken on it)."""
    opinion = _latest_opinion(case)
    _need(route_complete(case, opinion), "审批流程尚未完成，审批表在作出决定后制作。")
    return f"opinion:{opinion.pk}"



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
        "opinion_date": cn_date(timezone.localdate(opinion.submitted_at)),
    }



FACTOR_LABELS = (  # the calculator's inputs (cases.forms.FactorsForm), as the documents state them
    ("harm_yuan", "实际损害", "元"), ("fault_percent", "申请人过错比例", "%"),
    ("family_monthly_income_yuan", "家庭月收入", "元"), ("household_size", "家庭人口", "人"),
    ("local_living_cost_yuan", "当地基本生活费用", "元/人·月"),
    ("compensation_received_yuan", "已获赔偿或救助", "元"), ("court_damages_yuan", "依法应判赔偿数额", "元"),
)
FINDING_KINDS = (Record.Kind.INVESTIGATION, Record.Kind.HOME_VISIT)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def findings(case: AidCase) -> list[str]:
    """The investigation and home-visit records of the review, one paragraph each, in date order."""
    out = []
    for r in case.records.filter(kind__in=FINDING_KINDS).order_by("held_on", "pk"):
        where = f"在{r.place}" if r.place.strip() else ""
        who = f"（参加人员：{r.participants.strip()}）" if r.participants.strip() else ""
        body = "".join(paragraphs(r.content))
        out.append(f"{cn_date(r.held_on)}，承办人{where}进行{'走访' if r.kind == Record.Kind.HOME_VISIT else '调查'}"
                   f"{who}，查明：{body}")
    return out


def basis_text(result: Calculation) -> str:
    """The legal basis of the amount and its figures (wage base, months, cap, the lower local or court limit)
    as a document prints them: from the calculation's numbers, never its on-screen explanations, which carry
    an administrator's notes on the wage base ("示例数据，待管理员核实")."""
    cap = result.cap
    text = (f"依据：{RULES}，救助金额以{cap.base_year}年职工月平均工资{yuan(cap.base_monthly_yuan)}为基数，"
            f"一般不超过{cap.cap_months}个月，即{yuan(cap.cap_yuan)}")
    if cap.per_case_cap_yuan is not None:
        text += f"；本地单件上限{yuan(cap.per_case_cap_yuan)}，取较低者{yuan(cap.effective_cap_yuan)}"
    if result.facts.court_damages_yuan is not None:
        text += f"；不得超过依法应当判决的赔偿数额{yuan(result.facts.court_damages_yuan)}"
    return text + "。"


def calculation_paragraphs(case: AidCase, opinion: ReviewOpinion) -> tuple[str, str, str]:
    """The calculator's inputs as the opinion recorded them, the rule it applied and the amount proposed
    (each "" when there is none)."""
    calc = opinion.calculation or {}
    inputs = []
    for key, label, unit in FACTOR_LABELS:
        value = calc.get(key)
        if value not in (None, ""):
            number = _decimal(value)
            shown = f"{number:,.2f}" if unit.startswith("元") and number is not None else (
                f"{number.normalize():f}" if number is not None else value)
            inputs.append(f"{label}{shown}{unit}")
    try:
        facts = AmountFacts(
            proposed_yuan=opinion.proposed_amount,
            **{k: (int(calc[k]) if k == "household_size" else _decimal(calc[k]))
               for k, _label, _unit in FACTOR_LABELS if calc.get(k) not in (None, "")},
            key_groups=tuple(case.groups.values_list("group", flat=True)))
        result = calculate(case.handling_org, timezone.localdate(opinion.submitted_at), facts)
    except (RulesError, ValueError, TypeError):
        result = None
    rule = ""
    if result is not None:
        rule = basis_text(result)
    elif opinion.cap_yuan:
        rule = f"本案救助限额为{yuan(opinion.cap_yuan)}。"
    amount = (f"据此，拟救助金额为人民币{yuan(opinion.proposed_amount)}（大写：{rmb_upper(opinion.proposed_amount)}）。"
              if opinion.proposed_amount else "")
    return (f"经测算：{'，'.join(inputs)}。" if inputs else "", rule, amount)


def review_facts(case: AidCase, opinion: ReviewOpinion | None, *, rule_and_amount: bool = True) -> list[str]:
    """What the review established, from its own records (never the clue's summary): the harm and hardship
    as the handler recorded them, the investigation and home-visit findings, the calculator's inputs (and,
    with RULE_AND_AMOUNT, the rule it applied and the amount)."""
    out = paragraphs(case.harm_summary) + paragraphs(case.hardship_summary) + findings(case)
    if opinion is not None:
        inputs, rule, amount = calculation_paragraphs(case, opinion)
        out += [x for x in ([inputs, rule, amount] if rule_and_amount else [inputs]) if x]
    return out


def _review_report(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    opinion = case.opinions.select_related("submitted_by").get(pk=int(subject.split(":")[1]))
    oc = case.original_case
    checks = []
    for i, code in enumerate(RefusalGround.values, 1):
        g = opinion.grounds.get(code, {})
        checks.append({"no": i, "ground": _label(RefusalGround(code).label),
                       "result": "存在" if g.get("present") else "不存在", "note": g.get("note", "")})
    harm = review_facts(case, opinion, rule_and_amount=False)
    return {
        **_opinion_fields(case, opinion),
        "source_text": _source_text(case),
        "original_case_text": (
            f"原案件案号{oc.case_number}，案由{oc.charge or '未登记'}，诉讼阶段：{oc.get_stage_display() or '未登记'}，"
            f"加害人赔偿能力：{oc.get_offender_ability_display()}。{oc.summary}") if oc else "本案未关联原案件。",
        "harm_paragraphs": harm or ["（未登记）"],
        "checks": checks,
        "amount_basis": str(extra.get("amount_basis", "")) or calculation_paragraphs(case, opinion)[1].removeprefix("依据："),
    }



def route_taken(case: AidCase, opinion: ReviewOpinion) -> list[dict[str, str]]:
    """Return the steps of OPINION's approval route actually taken, in order: role, opinion, signer, date,
    and for a collective step its meeting (date, attendees, conclusion)."""
    rows = []
    route = route_steps(case, opinion)
    steps = [s for s in route if s.status in (ApprovalStep.Status.APPROVED, ApprovalStep.Status.RETURNED)]
    final_seq = max((s.seq for s in route), default=0)
    for step in steps:
        # The last step is the decision itself: its date is the decision's (which may be given).
        last = step.status == ApprovalStep.Status.APPROVED and step.seq == final_seq and case.decided_on is not None
        day = case.decided_on if last else timezone.localdate(step.acted_at) if step.acted_at else None
        comment = step.comment.strip() or ("同意。" if step.status == ApprovalStep.Status.APPROVED else "")
        if step.status == ApprovalStep.Status.RETURNED:
            comment = f"退回：{comment}"
        meeting = ""
        if step.role == ApprovalStep.COLLECTIVE and step.meeting_date:
            meeting = (f"会议日期：{cn_date(step.meeting_date)}；参会人员：{step.attendees}；"
                       f"会议结论：{step.minutes.strip()}")
        actor = step.actor
        rows.append({
            "role": step.label, "opinion": comment,
            "signer": (actor.full_name or actor.username) if actor else BLANK,
            "date": cn_date(day) if day else BLANK_DATE, "meeting": meeting,
        })
    return rows


def route_complete(case: AidCase, opinion: ReviewOpinion) -> bool:
    """Whether OPINION's approval route has ended: every step taken and the decision made on it."""
    if not case.decision:
        return False
    steps = route_steps(case, opinion)
    return bool(steps) and all(s.status == ApprovalStep.Status.APPROVED for s in steps)


def route_steps(case: AidCase, opinion: ReviewOpinion) -> list[ApprovalStep]:
    """OPINION's approval steps in order (with their actors): the case page's prefetched steps of CASE when
    loaded (cases.queries.case_for_page), else one query."""
    loaded = prefetched(case, "approval_steps")
    if loaded is not None:  # ordered by (case, opinion, seq): ApprovalStep.Meta
        return [s for s in loaded if s.opinion_id == opinion.pk]
    return list(opinion.steps.select_related("actor").order_by("seq"))


def latest_opinion(case: AidCase) -> ReviewOpinion | None:
    """CASE's latest review opinion: the first of its prefetched opinions when loaded, else one query."""
    loaded = prefetched(case, "opinions")
    if loaded is not None:  # ordered newest first: ReviewOpinion.Meta
        return loaded[0] if loaded else None
    return case.opinions.order_by("-submitted_at", "-pk").first()


def _approval_form(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    opinion = case.opinions.select_related("submitted_by").get(pk=int(subject.split(":")[1]))
    steps = route_taken(case, opinion)
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
        "approval_steps": steps or [{"role": "（尚未审批）", "opinion": "", "signer": "", "date": "", "meeting": ""}],
        "approval_text": approval or BLANK,
        "approver_name": (approver.full_name or approver.username) if decided and approver else BLANK,
        "approval_date": cn_date(case.decided_on) if decided else BLANK_DATE,
    }
