"""Review: the handler, the records of talks and visits, the review opinion with its cap and earlier aid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import User
from jiuzhu.cases.actions.approval import _open_step
from jiuzhu.cases.actions.common import (
    CaseActionError,
    InvalidTransition,
    _check_authority,
    _check_open,
    _jsonable,
    _lock,
    _on,
    _transition,
    log_event,
)
from jiuzhu.cases.lifecycle import MOVES
from jiuzhu.cases.models import (
    AidCase,
    ApprovalStep,
    CaseEvent,
    Record,
    RefusalGround,
    ReviewOpinion,
    Status,
)
from jiuzhu.lib import clock
from jiuzhu.rules.approval import route_for


@transaction.atomic(durable=True)
def start_review(case: AidCase, *, acting_user: User, handler: User | None = None, note: str = "") -> AidCase:
    """Begin the review and investigation."""
    case = _lock(case, "start_review", acting_user)
    handler = handler or case.handler or acting_user
    _transition(case, "start_review", Status.UNDER_REVIEW, acting_user=acting_user, note=note,
                fields={"handler": handler})
    return case



@transaction.atomic(durable=True)
def add_record(case: AidCase, *, acting_user: User, kind: str, held_on: dt.date, content: str,
               place: str = "", participants: str = "", interpreter_name: str = "", interpreter_id_number: str = "",
               interpreter_language: str = "") -> Record:
    """Add an investigation, home-visit or follow-up record to the case file."""
    _check_authority(case, "add_record", acting_user)
    if case.status not in MOVES["add_record"].sources:
        raise InvalidTransition("该案件已结束，不能再录入笔录。")
    if kind not in Record.Kind.values:
        raise CaseActionError("记录类型不正确。")
    if not content.strip():
        raise CaseActionError("请填写记录内容。")
    _on(held_on, not_before=case.raised_on, what="记录日期")
    from jiuzhu.people.interpreters import interpreter_fields

    interpreter = interpreter_fields(name=interpreter_name, id_number=interpreter_id_number,
                                     language=interpreter_language, error=CaseActionError)
    record = Record.objects.create(case=case, kind=kind, held_on=held_on, place=place, participants=participants,
                                   content=content, recorded_by=acting_user, **interpreter)
    log_event(case, "add_record", acting_user=acting_user, note=f"{record.get_kind_display()}（{held_on}）")
    return record



@transaction.atomic(durable=True)
def submit_opinion(case: AidCase, *, acting_user: User, category: str, grounds: dict[str, dict[str, Any]],
                   recommendation: str, reasoning: str, proposed_amount: Decimal | None = None,
                   exceed_cap_reason: str = "", calculation: dict[str, Any] | None = None) -> ReviewOpinion:
    """Submit the review opinion and open its approval route (chosen by amount, cap and settings).

    Every refusal ground must be checked; aid despite a ground needs a written justification; a
    proposal above the cap (突破限额) needs its reasons and adds the higher approval steps.
    """
    case = _lock(case, "submit_opinion", acting_user)
    missing = [g for g in RefusalGround.values if g not in grounds]
    if missing:
        raise CaseActionError(f"请逐项审查不予救助情形：{'、'.join(missing)}尚未审查。")
    if not reasoning.strip():
        raise CaseActionError("请填写审查理由。")
    cap: Decimal | None = None
    over_cap = False
    if recommendation == ReviewOpinion.Recommendation.GRANT:
        if proposed_amount is None or proposed_amount <= 0:
            raise CaseActionError("建议救助须填写大于零的拟救助金额。")
        present = [g for g, v in grounds.items() if v.get("present")]
        if present and not all(str(grounds[g].get("note", "")).strip() for g in present):
            raise CaseActionError(f"存在{'、'.join(present)}情形仍建议救助的，须逐项写明理由。")
        cap = amount_ceiling(case, clock.today())
        ceiling = (calculation or {}).get("court_damages_yuan")
        if ceiling not in (None, "") and proposed_amount > Decimal(str(ceiling)):
            raise CaseActionError(f"救助金额不能超过依法应当判决的赔偿数额（{Decimal(str(ceiling)):,.2f}元）。")
        over_cap = proposed_amount > cap
        if over_cap and not exceed_cap_reason.strip():
            raise CaseActionError(
                f"拟救助金额超过救助限额{cap:,.2f}元（突破限额），须写明案件损失特别重大或生活特别困难等理由，"
                "并报请更高一级审批。")
    else:
        proposed_amount = None
    opinion = ReviewOpinion.objects.create(
        case=case, category=category, grounds=grounds, recommendation=recommendation,
        proposed_amount=proposed_amount, reasoning=reasoning, submitted_by=acting_user, submitted_at=clock.now(),
        cap_yuan=cap, over_cap=over_cap, exceed_cap_reason=exceed_cap_reason.strip() if over_cap else "",
        calculation=_jsonable(calculation or {}), duplicates=earlier_aid(case))
    route = route_for(case.handling_org, proposed_amount or Decimal(0), over_cap=over_cap)
    # Nobody approves what they proposed: a step of a role the proposer holds here is left out (a
    # department head who handles a case goes straight to the deputy chief).
    from jiuzhu.accounts.access import memberships_of

    own = {m.role for m in memberships_of(acting_user) if m.org_id == case.handling_org_id}
    pairs = [(r, label) for r, label in zip(route.steps, route.labels, strict=True) if r not in own]
    if not pairs:
        pairs = [("chief", "检察长")]
    steps = ApprovalStep.objects.bulk_create([
        ApprovalStep(case=case, opinion=opinion, seq=i, role=role, label=label)
        for i, (role, label) in enumerate(pairs, start=1)])
    _transition(case, "submit_opinion", Status.PENDING_APPROVAL, acting_user=acting_user, note=reasoning,
                fields={"category": category, "proposed_amount": proposed_amount},
                recommendation=recommendation, amount=proposed_amount, over_cap=over_cap,
                grounds_present=opinion.grounds_present, route=list(route.labels))
    _open_step(case, steps[0], clock.today())
    return opinion



def amount_ceiling(case: AidCase, day: dt.date) -> Decimal:
    """Return the aid cap for CASE decided on DAY: months × the province's wage base (and local caps)."""
    from jiuzhu.rules.amount import cap_for
    from jiuzhu.rules.errors import NoWageBase

    try:
        return cap_for(case.handling_org, day).effective_cap_yuan
    except NoWageBase as e:
        raise CaseActionError(str(e)) from None



def earlier_aid(case: AidCase) -> list[dict[str, Any]]:
    """Return other aid cases of the same person or the same original case, anywhere in the database.

    `blocking` marks the same person in the same original case (one aid per person per case) when
    that case was granted aid, got advance aid, or is still being handled.
    """
    from django.db.models import Q

    if case.applicant_id is None:
        return []
    number = case.original_case.case_number.strip() if case.original_case else ""
    q = Q(applicant_id=case.applicant_id)
    if number:
        q |= Q(original_case__case_number=number)
    hits = []
    for other in (AidCase.objects.filter(q).exclude(pk=case.pk)
                  .select_related("handling_org", "original_case").order_by("raised_on", "pk")):
        same_person = other.applicant_id == case.applicant_id
        same_case = bool(number) and other.original_case is not None and other.original_case.case_number == number
        live = other.decision == AidCase.Decision.GRANT or bool(other.advance_amount) or (
            other.is_open and other.decision != AidCase.Decision.REFUSE)
        hits.append({
            "case": other.pk, "number": other.number, "org": other.handling_org.name,
            "original_case": other.original_case.case_number if other.original_case else "",
            "same_person": same_person, "same_case": same_case, "status": other.get_status_display(),
            "decided_amount": str(other.decided_amount) if other.decided_amount else "",
            "decided_on": str(other.decided_on or ""), "blocking": same_person and same_case and live,
        })
    return hits



@transaction.atomic(durable=True)
def assign_handler(case: AidCase, *, acting_user: User, handler: User) -> AidCase:
    """Assign the procurator who handles the case."""
    _check_open(case, "assign_handler", acting_user)
    if not has_capability(handler, "handle_cases", case.handling_org):
        raise CaseActionError("承办人须为本院控告申诉检察部门的检察官。")
    AidCase.objects.filter(pk=case.pk).update(handler=handler)
    case.handler = handler
    log_event(case, "assign_handler", acting_user=acting_user, kind=CaseEvent.Kind.ASSIGNED,
           note=f"承办人：{handler}")
    return case
