"""Every change to an aid case goes through these functions (style.md bullets 10–17).

Each public action checks the acting user's authority in the organisation handling the case,
moves the state through `_transition()` (compare-and-set, so two people acting at once cannot both
succeed), writes a CaseEvent in the same transaction and updates the case's deadlines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import User
from jiuzhu.cases import deadlines
from jiuzhu.cases.lifecycle import MOVES, OPEN
from jiuzhu.cases.models import (
    AidCase,
    ApprovalStep,
    CaseEvent,
    CaseGroup,
    CaseNumberSequence,
    CaseParty,
    Channel,
    Deadline,
    OriginalCase,
    Record,
    RefusalGround,
    ReviewOpinion,
    Status,
)
from jiuzhu.lib import clock, dates
from jiuzhu.orgs.models import Organisation
from jiuzhu.people.actions import get_or_create_person
from jiuzhu.people.models import Person
from jiuzhu.people.phones import clean_phone
from jiuzhu.rules.approval import route_for


class CaseActionError(ValidationError):
    """A domain rule refused the action; the message is shown to the user as it is."""


class InvalidTransition(CaseActionError):
    pass


class ConcurrentChange(CaseActionError):
    pass


class CasePermissionError(PermissionDenied):
    pass


# ---------------------------------------------------------------------------------------------
# Helpers


def _check_authority(case: AidCase, move_name: str, acting_user: User | None) -> None:
    move = MOVES[move_name]
    if acting_user is None:  # the system itself (the background worker)
        return
    if not any(has_capability(acting_user, cap, case.handling_org) for cap in move.capabilities):
        raise CasePermissionError(f"您无权在本案执行“{move.label}”。")


def _check_open(case: AidCase, move_name: str, acting_user: User | None) -> None:
    """Authority, plus: a closed, archived or abandoned case is not changed any more."""
    _check_authority(case, move_name, acting_user)
    case.refresh_from_db(fields=["status"])
    if case.status not in OPEN:
        raise InvalidTransition(f"案件当前状态为“{Status(case.status).label}”，不能再修改。")


def _on(on: dt.date | None, *, not_before: dt.date | None = None, what: str = "日期", **order: Any) -> dt.date:
    """The date of a step: today when not given; the one date policy (lib/dates.py) and its order."""
    return dates.check(on, what=what, not_before=not_before, error=CaseActionError, **order)


def _event(case: AidCase, action: str, *, acting_user: User | None, kind: str = CaseEvent.Kind.RECORD,
           old: str = "", new: str = "", note: str = "", **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, action=action, old_status=old, new_status=new,
                                    actor=acting_user, at=clock.now(), note=note, data=_jsonable(data))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, (dt.date, Decimal)):
            out[k] = str(v)
        elif isinstance(v, (list, tuple)):
            out[k] = [str(x) if isinstance(x, (dt.date, Decimal)) else x for x in v]
        else:
            out[k] = v
    return out


def _transition(case: AidCase, move_name: str, new: str, *, acting_user: User | None, note: str = "",
                fields: dict[str, Any] | None = None, **data: Any) -> None:
    """Move CASE to NEW by the named action; the only place that changes a case's status."""
    move = MOVES[move_name]
    _check_authority(case, move_name, acting_user)
    old = case.status
    if old not in move.sources or new not in move.targets:
        raise InvalidTransition(
            f"案件当前状态为“{Status(old).label}”，不能执行“{move.label}”。")
    fields = dict(fields or {})
    updated = AidCase.objects.filter(pk=case.pk, status=old).update(status=new, updated_at=clock.now(), **fields)
    if updated != 1:
        raise ConcurrentChange("该案件刚刚已被他人处理，请刷新页面后查看最新状态。")
    case.status = new
    for k, v in fields.items():
        setattr(case, k, v)
    _event(case, move_name, acting_user=acting_user, kind=CaseEvent.Kind.TRANSITION, old=old, new=new,
           note=note, **data)


def _next_number(org: Organisation, year: int) -> str:
    seq, _ = CaseNumberSequence.objects.select_for_update().get_or_create(org=org, year=year)
    CaseNumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    seq.refresh_from_db(fields=["last"])
    return f"{org.code}-{year}-{seq.last:04d}"


def _lock(case: AidCase, move_name: str, acting_user: User | None) -> AidCase:
    """Re-read CASE in place under a row lock, then check the move is allowed now and to this user.

    Checking first means bad input never gets a message about a step the case is not at.
    """
    case.refresh_from_db(from_queryset=AidCase.objects.select_for_update())
    _check_authority(case, move_name, acting_user)
    move = MOVES[move_name]
    if case.status not in move.sources:
        raise InvalidTransition(f"案件当前状态为“{Status(case.status).label}”，不能执行“{move.label}”。")
    return case


# ---------------------------------------------------------------------------------------------
# Creating a case


@transaction.atomic(durable=True)
def raise_clue(
    org: Organisation, *, acting_user: User, channel: str, person_name: str, id_number: str = "",
    phone: str = "", address: str = "", original_case_number: str = "", charge: str = "",
    stage: str = "", offender_ability: str = OriginalCase.OffenderAbility.UNKNOWN, clue_summary: str = "",
    groups: list[str] | None = None, on: dt.date | None = None, is_ex_officio: bool = False,
    source_detail: str = "", number: str = "", found_on: dt.date | None = None,
) -> AidCase:
    """Record a clue that someone may qualify for aid, in the procuratorate ORG.

    FOUND_ON: for a case department's clue, when it found the possible victim; the transfer to the
    complaint department is then recorded as a deadline met or missed (deadline.clue_transfer_working_days).
    """
    if not (has_capability(acting_user, "raise_clues", org) or has_capability(acting_user, "handle_cases", org)):
        raise CasePermissionError("您无权在该检察院登记救助线索。")
    day = _on(on, what="线索日期")
    if channel not in Channel.values:
        raise CaseActionError("线索来源不正确。")
    if found_on is not None and found_on > day:
        raise CaseActionError("发现日期不能晚于线索（移送）日期。")
    person, _ = get_or_create_person(name=person_name, id_number=id_number, phone=phone, address=address)
    original = None
    if original_case_number.strip():
        original, _ = OriginalCase.objects.get_or_create(
            org=org, case_number=original_case_number.strip(),
            defaults={"charge": charge, "stage": stage, "offender_ability": offender_ability})
    case = AidCase.objects.create(
        number=number or _next_number(org, day.year), handling_org=org, original_case=original,
        status=Status.CLUE, channel=channel, source_detail=source_detail,
        is_ex_officio=is_ex_officio or channel in (Channel.CASE_DEPARTMENT, Channel.EX_OFFICIO),
        raised_by=acting_user, applicant=person, clue_summary=clue_summary, raised_on=day,
        handler=acting_user if has_capability(acting_user, "handle_cases", org) else None,
    )
    CaseParty.objects.create(case=case, person=person, role=CaseParty.Role.APPLICANT)
    set_groups(case, groups or [])
    _event(case, "raise_clue", acting_user=acting_user, kind=CaseEvent.Kind.CREATED, new=Status.CLUE,
           note=clue_summary, channel=channel, on=day)
    if found_on is not None and channel == Channel.CASE_DEPARTMENT:
        _record_clue_transfer(case, found_on, day, acting_user)
    return case


def _record_clue_transfer(case: AidCase, found_on: dt.date, day: dt.date, acting_user: User) -> None:
    """Record the case department's transfer as a deadline started when it found the person, met (or
    missed) on the day the clue reached the complaint department; the statistics count compliance."""
    from jiuzhu.cases import deadlines

    due = deadlines.due_date(case, Deadline.Kind.CLUE_TRANSFER, found_on)
    Deadline.objects.create(case=case, kind=Deadline.Kind.CLUE_TRANSFER, starts_on=found_on, due_on=due,
                            completed_on=day, outcome=Deadline.Outcome.DONE)
    if day > due:
        _event(case, "clue_transfer_late", acting_user=acting_user, kind=CaseEvent.Kind.DEADLINE,
               note=f"办案部门于{found_on:%Y年%m月%d日}发现，{day:%Y年%m月%d日}移送，超过移送期限"
                    f"（应于{due:%Y年%m月%d日}前移送）。", found_on=found_on, due_on=due)


def set_groups(case: AidCase, groups: list[str]) -> None:
    """Replace the key-group tags of CASE."""
    from jiuzhu.cases.models import Group

    bad = [g for g in groups if g not in Group.values]
    if bad:
        raise CaseActionError(f"人员类别不正确：{'、'.join(bad)}")
    CaseGroup.objects.filter(case=case).exclude(group__in=groups).delete()
    existing = set(CaseGroup.objects.filter(case=case).values_list("group", flat=True))
    CaseGroup.objects.bulk_create([CaseGroup(case=case, group=g) for g in dict.fromkeys(groups) if g not in existing])


@transaction.atomic(durable=True)
def add_party(case: AidCase, *, acting_user: User, role: str, name: str, id_number: str = "",
              relationship: str = "", phone: str = "", address: str = "") -> CaseParty:
    """Add a victim, agent, legal representative or family member to CASE."""
    _check_open(case, "add_record", acting_user)
    if role not in CaseParty.Role.values or role == CaseParty.Role.APPLICANT:
        raise CaseActionError("当事人身份不正确。")
    person, _ = get_or_create_person(name=name, id_number=id_number, phone=phone, address=address)
    party, created = CaseParty.objects.get_or_create(case=case, person=person, role=role,
                                                     defaults={"relationship": relationship})
    if not created:
        raise CaseActionError("该当事人已以此身份登记。")
    _event(case, "add_party", acting_user=acting_user, note=f"{party.get_role_display()}：{person.display_name}")
    return party


@transaction.atomic(durable=True)
def update_applicant(case: AidCase, *, acting_user: User, groups: list[str] | None = None,
                     **details: Any) -> Person:
    """Fill in or correct the applicant's details (ID number, phone, address, bank account…) and groups."""
    _check_open(case, "add_record", acting_user)
    if groups is not None:
        set_groups(case, groups)
    person = case.applicant
    assert person is not None
    from jiuzhu.people.actions import _apply_id, _has_cases_outside, find_person_by_id_number

    if details.get("phone"):
        details["phone"] = clean_phone(details["phone"])
    id_number = details.pop("id_number", "")
    if id_number:
        other = find_person_by_id_number(id_number)
        if other is not None and other.pk != person.pk:
            if person.id_number_bidx:
                raise CaseActionError("该身份证号码已属于另一名当事人，请核对。")
            # The applicant was registered without an ID number and is a person already known: the
            # case now points to that person; their stored details are not changed from here.
            AidCase.objects.filter(pk=case.pk).update(applicant=other)
            CaseParty.objects.filter(case=case, person=person).update(person=other)
            case.applicant = other
            _event(case, "update_applicant", acting_user=acting_user, note="申请人身份证号码与已登记当事人一致，已关联。")
            return other
        _apply_id(person, id_number)
    if any(v not in (None, "") for v in details.values()) and _has_cases_outside(person, acting_user):
        raise CaseActionError("该当事人同时是其他检察院案件的当事人，其联系方式和银行账户不能在本院修改。")
    changed = []
    for k, v in details.items():
        if v not in (None, "") and getattr(person, k) != v:
            setattr(person, k, v)
            changed.append(k)
    person.save()
    _event(case, "update_applicant", acting_user=acting_user, note="更新申请人信息",
           fields=sorted(changed + (["id_number"] if id_number else [])))
    return person


# ---------------------------------------------------------------------------------------------
# The lifecycle, step by step


@transaction.atomic(durable=True)
def notify_right(case: AidCase, *, acting_user: User, manner: str, on: dt.date | None = None,
                 note: str = "") -> AidCase:
    """Record that the person was told of their right to apply (written or oral notice)."""
    case = _lock(case, "notify_right", acting_user)
    day = _on(on, not_before=case.raised_on, what="告知日期")
    _transition(case, "notify_right", Status.NOTIFIED, acting_user=acting_user, note=note,
                fields={"notified_on": day}, manner=manner, on=day)
    return case


@transaction.atomic(durable=True)
def register_application(case: AidCase, *, acting_user: User, form: str, on: dt.date | None = None,
                         oral_record: str = "", note: str = "") -> AidCase:
    """Register a written application, or an oral one with its record; starts the 5-day check."""
    case = _lock(case, "register_application", acting_user)
    day = _on(on, not_before=case.notified_on or case.raised_on, what="申请日期")
    if form not in AidCase.ApplicationForm.values:
        raise CaseActionError("请选择申请方式。")
    if form == AidCase.ApplicationForm.ORAL and not oral_record.strip():
        raise CaseActionError("口头申请须制作笔录，请填写笔录内容。")
    _transition(case, "register_application", Status.APPLIED, acting_user=acting_user, note=note,
                fields={"applied_on": day, "application_form": form}, form=form, on=day)
    if oral_record.strip() and acting_user is not None:
        Record.objects.create(case=case, kind=Record.Kind.ORAL_APPLICATION, held_on=day, content=oral_record,
                              recorded_by=acting_user)
    deadlines.start(case, Deadline.Kind.SUPPLEMENT_NOTICE, day)
    if case.handler_id is None and has_capability(acting_user, "handle_cases", case.handling_org):
        AidCase.objects.filter(pk=case.pk).update(handler=acting_user)
        case.handler = acting_user
    return case


@transaction.atomic(durable=True)
def request_supplement(case: AidCase, *, acting_user: User, missing: str, on: dt.date | None = None) -> AidCase:
    """Tell the applicant what is missing; the 30-day supplement clock starts, the decision clock pauses."""
    case = _lock(case, "request_supplement", acting_user)
    day = _on(on, not_before=case.applied_on, what="通知日期")
    if not missing.strip():
        raise CaseActionError("请写明需要补正的材料。")
    resume = case.status
    _transition(case, "request_supplement", Status.AWAITING_SUPPLEMENT, acting_user=acting_user, note=missing,
                fields={"resume_status": resume}, on=day)
    deadlines.complete(case, Deadline.Kind.SUPPLEMENT_NOTICE, day)
    deadlines.pause(case, Deadline.Kind.DECISION, day)
    deadlines.start(case, Deadline.Kind.SUPPLEMENT, day)
    return case


@transaction.atomic(durable=True)
def receive_supplement(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Record the supplemented material; the case resumes where it was and its clocks restart."""
    case = _lock(case, "receive_supplement", acting_user)
    asked = Deadline.objects.filter(case=case, kind=Deadline.Kind.SUPPLEMENT, completed_on__isnull=True).first()
    day = _on(on, not_before=asked.starts_on if asked else case.raised_on, what="收到日期")
    target = case.resume_status or Status.APPLIED
    _transition(case, "receive_supplement", target, acting_user=acting_user, note=note,
                fields={"resume_status": ""}, on=day)
    deadlines.complete(case, Deadline.Kind.SUPPLEMENT, day)
    if target == Status.APPLIED:
        deadlines.start(case, Deadline.Kind.SUPPLEMENT_NOTICE, day)
    deadlines.resume(case, Deadline.Kind.DECISION, day)
    return case


@transaction.atomic(durable=True)
def deem_abandoned(case: AidCase, *, acting_user: User | None, on: dt.date | None = None) -> AidCase:
    """Close an application whose supplement deadline passed in silence (视为放弃)."""
    case = _lock(case, "deem_abandoned", acting_user)
    day = _on(on, what="日期")
    due = Deadline.objects.filter(case=case, kind=Deadline.Kind.SUPPLEMENT, completed_on__isnull=True).first()
    if case.status == Status.AWAITING_SUPPLEMENT and (due is None or due.due_on >= day):
        raise CaseActionError(f"补正期限{f'至{due.due_on:%Y年%m月%d日}' if due else ''}尚未届满，不能视为放弃。")
    _transition(case, "deem_abandoned", Status.ABANDONED, acting_user=acting_user,
                note="申请人逾期未补正材料，视为放弃申请。", fields={"closed_on": day}, on=day)
    deadlines.complete(case, Deadline.Kind.SUPPLEMENT, day, Deadline.Outcome.LAPSED)
    deadlines.complete_all(case, day)
    return case


@transaction.atomic(durable=True)
def accept(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Accept the application; the decision clock (10 working days by default) starts."""
    case = _lock(case, "accept", acting_user)
    day = _on(on, not_before=case.applied_on, what="受理日期")
    if case.applicant is None or not case.applicant.id_number_bidx:
        raise CaseActionError("受理前须登记申请人的身份证号码（“补充申请人信息”）。")
    _transition(case, "accept", Status.ACCEPTED, acting_user=acting_user, note=note,
                fields={"accepted_on": day}, on=day)
    deadlines.complete(case, Deadline.Kind.SUPPLEMENT_NOTICE, day)
    deadlines.start(case, Deadline.Kind.DECISION, day)
    return case


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
               place: str = "", participants: str = "") -> Record:
    """Add an investigation, home-visit or follow-up record to the case file."""
    _check_authority(case, "add_record", acting_user)
    if case.status not in MOVES["add_record"].sources:
        raise InvalidTransition("该案件已结束，不能再录入笔录。")
    if kind not in Record.Kind.values:
        raise CaseActionError("记录类型不正确。")
    if not content.strip():
        raise CaseActionError("请填写记录内容。")
    _on(held_on, not_before=case.raised_on, what="记录日期")
    record = Record.objects.create(case=case, kind=kind, held_on=held_on, place=place, participants=participants,
                                   content=content, recorded_by=acting_user)
    _event(case, "add_record", acting_user=acting_user, note=f"{record.get_kind_display()}（{held_on}）")
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


def _current_step(case: AidCase) -> ApprovalStep:
    step = case.approval_steps.filter(status=ApprovalStep.Status.PENDING).select_related("opinion").first()
    if step is None:
        raise CaseActionError("本案没有待审批的环节。")
    return step


def _open_step(case: AidCase, step: ApprovalStep, day: dt.date) -> None:
    ApprovalStep.objects.filter(pk=step.pk).update(status=ApprovalStep.Status.PENDING)
    AidCase.objects.filter(pk=case.pk).update(awaiting_role=step.role)
    case.awaiting_role = step.role
    deadlines.start(case, Deadline.Kind.APPROVAL, day)


def _check_step_authority(case: AidCase, step: ApprovalStep, acting_user: User, meeting: dict[str, Any] | None,
                          ) -> None:
    """The acting user must hold the step's role in the handling procuratorate, and not have proposed
    the opinion or taken another step of it (separation of duties)."""
    from jiuzhu.accounts.access import memberships_of
    from jiuzhu.accounts.models import Role

    roles = {m.role for m in memberships_of(acting_user) if m.org_id == case.handling_org_id}
    needed = {Role.CHIEF, Role.DEPUTY_CHIEF} if step.role == ApprovalStep.COLLECTIVE else {step.role}
    if not roles & needed:
        raise CasePermissionError(f"本环节（{step.label}）须由{'、'.join(Role(r).label for r in sorted(needed))}审批。")
    if step.opinion.submitted_by_id == acting_user.pk:
        raise CasePermissionError("审批人不能审批自己提出的审查意见。")
    # One person, one step; the collective body's decision is recorded by the chief or a deputy who
    # may also have approved an earlier step in person.
    if step.role != ApprovalStep.COLLECTIVE and step.opinion.steps.filter(actor=acting_user).exclude(
            pk=step.pk).exclude(role=ApprovalStep.COLLECTIVE).exists():
        raise CasePermissionError("同一审批人不能审批同一意见的两个环节。")
    if step.role == ApprovalStep.COLLECTIVE:
        meeting = meeting or {}
        if not meeting.get("meeting_date") or not str(meeting.get("minutes", "")).strip():
            raise CaseActionError(f"{step.label}集体研究须记录会议日期、参会人员和会议纪要。")
        if not str(meeting.get("attendees", "")).strip():
            raise CaseActionError("请填写参会人员。")
        if isinstance(meeting["meeting_date"], dt.date):  # return_opinion passes a placeholder
            _on(meeting["meeting_date"], what="会议日期", not_before=case.accepted_on, not_before_what="受理日期")


def _meeting_before_decision(meeting: dict[str, Any] | None, day: dt.date) -> None:
    """The collective body meets first, then the decision is made: meeting date ≤ decision date."""
    held = (meeting or {}).get("meeting_date")
    if isinstance(held, dt.date) and held > day:
        raise CaseActionError(f"会议日期不能晚于决定日期（{day:%Y年%m月%d日}）。")


def _take_step(case: AidCase, step: ApprovalStep, acting_user: User, comment: str,
               meeting: dict[str, Any] | None) -> None:
    meeting = meeting or {}
    fields = {"status": ApprovalStep.Status.APPROVED, "actor": acting_user, "acted_at": clock.now(),
              "comment": comment}
    if step.role == ApprovalStep.COLLECTIVE:
        fields.update(meeting_date=meeting["meeting_date"], attendees=meeting["attendees"],
                      minutes=meeting["minutes"])
    ApprovalStep.objects.filter(pk=step.pk).update(**fields)
    deadlines.complete(case, Deadline.Kind.APPROVAL, clock.today())


@transaction.atomic(durable=True)
def approve_step(case: AidCase, *, acting_user: User, comment: str = "",
                 meeting: dict[str, Any] | None = None) -> ApprovalStep:
    """Approve the current (not the last) step of the route; the case passes to the next approver."""
    case = _lock(case, "approve_step", acting_user)
    step = _current_step(case)
    later = case.approval_steps.filter(opinion=step.opinion, seq__gt=step.seq).order_by("seq").first()
    if later is None:
        raise CaseActionError("这是最后一个审批环节，请作出决定（决定救助或不予救助）。")
    _check_step_authority(case, step, acting_user, meeting)
    _take_step(case, step, acting_user, comment, meeting)
    _event(case, "approve_step", acting_user=acting_user, note=f"{step.label}审批：{comment or '同意。'}报{later.label}。",
           step=step.label, next=later.label)
    _open_step(case, later, clock.today())
    return step


def _final_step(case: AidCase, acting_user: User, meeting: dict[str, Any] | None) -> ApprovalStep:
    step = _current_step(case)
    if step.opinion.steps.filter(seq__gt=step.seq).exists():
        raise CaseActionError(f"尚需{step.label}审批后，才能作出决定。")
    _check_step_authority(case, step, acting_user, meeting)
    return step


@transaction.atomic(durable=True)
def return_opinion(case: AidCase, *, acting_user: User, comments: str) -> AidCase:
    """Send the opinion back for revision, with the approver's comments."""
    case = _lock(case, "return_opinion", acting_user)
    if not comments.strip():
        raise CaseActionError("请填写退回意见。")
    step = _current_step(case)
    _check_step_authority(case, step, acting_user, {"meeting_date": True, "minutes": "-", "attendees": "-"})
    ApprovalStep.objects.filter(pk=step.pk).update(status=ApprovalStep.Status.RETURNED, actor=acting_user,
                                                   acted_at=clock.now(), comment=comments)
    ApprovalStep.objects.filter(opinion=step.opinion, status=ApprovalStep.Status.WAITING).update(
        status=ApprovalStep.Status.CANCELLED)
    deadlines.complete(case, Deadline.Kind.APPROVAL, clock.today(), Deadline.Outcome.CANCELLED)
    _transition(case, "return_opinion", Status.UNDER_REVIEW, acting_user=acting_user, note=comments,
                fields={"awaiting_role": ""}, step=step.label)
    return case


@transaction.atomic(durable=True)
def decide_grant(case: AidCase, *, acting_user: User, amount: Decimal, reasons: str, on: dt.date | None = None,
                 meeting: dict[str, Any] | None = None, duplicate_override: str = "",
                 contributions: list[tuple[Organisation, Decimal]] | None = None) -> AidCase:
    """Decide to grant aid of AMOUNT yuan: the last step of the approval route."""
    case = _lock(case, "decide_grant", acting_user)
    step = _final_step(case, acting_user, meeting)
    opinion = step.opinion
    day = _on(on, not_before=case.accepted_on, what="决定日期")
    _meeting_before_decision(meeting if step.role == ApprovalStep.COLLECTIVE else None, day)
    if amount is None or amount <= 0:
        raise CaseActionError("救助金额必须大于零。")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CaseActionError("救助金额最多保留两位小数。")
    if opinion.recommendation != ReviewOpinion.Recommendation.GRANT:
        raise CaseActionError("审查意见为不予救助；如拟救助，请退回承办人重新提出审查意见。")
    if case.advance_amount and amount < case.advance_amount:
        raise CaseActionError(f"决定金额不能少于已先行发放的{case.advance_amount}元（多发部分应予追回）。")
    cap = amount_ceiling(case, day)
    if amount > cap and not opinion.over_cap:
        raise CaseActionError(f"决定金额超过救助限额{cap:,.2f}元，须由承办人提出突破限额的审查意见并按规定报批。")
    blocking = [h for h in earlier_aid(case) if h["blocking"]]
    if blocking and not duplicate_override.strip():
        listed = "；".join(f"{h['org']}{h['number']}（{h['status']}）" for h in blocking)
        raise CaseActionError(f"同一申请人在同一案件中已获救助或正在申请：{listed}。一案一人只能救助一次；"
                              "确需救助的，请写明理由后由审批人决定。")
    _take_step(case, step, acting_user, reasons, meeting)
    _transition(case, "decide_grant", Status.GRANTED, acting_user=acting_user, note=reasons,
                fields={"decision": AidCase.Decision.GRANT, "decided_on": day, "decided_amount": amount,
                        "decision_reasons": reasons, "decided_by": acting_user, "awaiting_role": ""},
                amount=amount, on=day, step=step.label,
                duplicate_override=duplicate_override.strip(), duplicates=[h["number"] for h in blocking])
    deadlines.complete(case, Deadline.Kind.DECISION, day)
    # The decision commits the money: contribution lines charged to each procuratorate's budget of the
    # decision's year (the handling procuratorate alone unless it is joint aid).
    from jiuzhu.funds.actions import commit_contributions

    commit_contributions(case, acting_user=acting_user, contributions=contributions)
    return case


@transaction.atomic(durable=True)
def decide_refuse(case: AidCase, *, acting_user: User, reasons: str, grounds: list[str] | None = None,
                  on: dt.date | None = None, meeting: dict[str, Any] | None = None) -> AidCase:
    """Decide not to grant aid, with the reasons explained to the applicant: the route's last step."""
    case = _lock(case, "decide_refuse", acting_user)
    step = _final_step(case, acting_user, meeting)
    day = _on(on, not_before=case.accepted_on, what="决定日期")
    _meeting_before_decision(meeting if step.role == ApprovalStep.COLLECTIVE else None, day)
    if not reasons.strip():
        raise CaseActionError("不予救助须写明理由，以便向申请人解释说明。")
    _take_step(case, step, acting_user, reasons, meeting)
    _transition(case, "decide_refuse", Status.REFUSED, acting_user=acting_user, note=reasons,
                fields={"decision": AidCase.Decision.REFUSE, "decided_on": day, "decision_reasons": reasons,
                        "decided_by": acting_user, "refusal_grounds": sorted(grounds or []), "awaiting_role": ""},
                grounds=grounds or [], on=day, step=step.label)
    deadlines.complete(case, Deadline.Kind.DECISION, day)
    # Advance aid: the unpaid part is cancelled and its commitment released; what was paid is recovered.
    from jiuzhu.funds.actions import settle_advance_on_refusal

    settle_advance_on_refusal(case, acting_user=acting_user, on=day, reasons=reasons)
    return case


@transaction.atomic(durable=True)
def serve_decision(case: AidCase, *, acting_user: User, method: str, recipient: str, on: dt.date | None = None,
                   note: str = "") -> AidCase:
    """Record delivery of the decision to the applicant (in person, by procuratorial post…)."""
    case = _lock(case, "serve_decision", acting_user)
    day = _on(on, not_before=case.decided_on, what="送达日期")
    if not recipient.strip():
        raise CaseActionError("请填写签收人。")
    _transition(case, "serve_decision", Status.SERVED, acting_user=acting_user, note=note,
                fields={"served_on": day}, method=method, recipient=recipient, on=day)
    return case


def record_funds(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Record that the aid money is available (登记资金到位): the funds app checks the money and takes the step.

    Kept here so the case page's button and the demo keep one name; see funds.actions.record_funds_arrival.
    """
    from jiuzhu.funds.actions import record_funds_arrival

    return record_funds_arrival(case, acting_user=acting_user, on=on, note=note)


@transaction.atomic(savepoint=False)
def funds_arrived(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Move a served grant to 待发放 and start the 2-working-day payment notice clock.

    Called by funds.actions.record_funds_arrival inside its transaction, after it checked the money.
    """
    case = _lock(case, "record_funds", acting_user)
    if case.decision != AidCase.Decision.GRANT:
        raise InvalidTransition("不予救助的案件没有救助金。")
    day = _on(on, not_before=case.decided_on, what="资金到位日期")
    _transition(case, "record_funds", Status.AWAITING_PAYMENT, acting_user=acting_user, note=note,
                fields={"funds_arrived_on": day}, on=day)
    deadlines.start(case, Deadline.Kind.PAYMENT_NOTICE, day)
    return case


@transaction.atomic(savepoint=False)
def payment_made(case: AidCase, *, acting_user: User, on: dt.date, instalments: int,
                 custody: bool = False) -> AidCase:
    """Move a case waiting for payment to 已发放 when the bank paid (funds.actions.pay calls this).

    The money itself (paid_amount, ledger rows) is the funds app's; this only takes the step.
    """
    case.refresh_from_db(from_queryset=AidCase.objects.select_for_update())
    if case.status != Status.AWAITING_PAYMENT:
        return case
    method = AidCase.PaymentMethod.INSTALMENTS if instalments > 1 else AidCase.PaymentMethod.LUMP_SUM
    if custody:
        method = AidCase.PaymentMethod.CUSTODY
    # In joint aid another contributing procuratorate's finance staff may pay first: the step is then the
    # system's consequence of a payment that funds already authorised, not the payer's act in this case.
    if not any(has_capability(acting_user, cap, case.handling_org) for cap in MOVES["record_payment"].capabilities):
        acting_user = None  # type: ignore[assignment]
    _transition(case, "record_payment", Status.PAID, acting_user=acting_user, note="银行已支付。",
                fields={"paid_on": on, "payment_method": case.payment_method or method}, on=on)
    deadlines.complete(case, Deadline.Kind.PAYMENT_NOTICE, on)
    return case


def _check_fully_paid(case: AidCase, what: str) -> None:
    """Follow-up and closing come after the aid is paid: refuse while decided − paid − recovered > 0
    (an instalment returned by the bank and never reissued is money still owed)."""
    from jiuzhu.funds.queries import unpaid_aid

    if case.decision == AidCase.Decision.GRANT and (owed := unpaid_aid(case)) > 0:
        raise CaseActionError(f"尚有 {owed:,.2f} 元救助金未发放，不能{what}。")


@transaction.atomic(durable=True)
def start_follow_up(case: AidCase, *, acting_user: User, held_on: dt.date, content: str, method: str) -> AidCase:
    """Record the first follow-up visit; the case stays in follow-up until closed."""
    case = _lock(case, "start_follow_up", acting_user)
    _check_fully_paid(case, "开始回访")
    _on(held_on, not_before=case.paid_on, what="回访日期", not_before_what="发放日期")
    if not content.strip():
        raise CaseActionError("请填写回访情况。")
    _transition(case, "start_follow_up", Status.FOLLOW_UP, acting_user=acting_user, note=content, method=method)
    Record.objects.create(case=case, kind=Record.Kind.FOLLOW_UP, held_on=held_on, place=method, content=content,
                          recorded_by=acting_user)
    return case


@transaction.atomic(durable=True)
def close(case: AidCase, *, acting_user: User, summary: str, on: dt.date | None = None) -> AidCase:
    """Close the case (结案)."""
    case = _lock(case, "close", acting_user)
    if case.status == Status.SERVED and case.decision == AidCase.Decision.GRANT:
        raise InvalidTransition("决定救助的案件须发放救助金后才能结案。")
    _check_fully_paid(case, "结案")
    day = _on(on, not_before=case.served_on or case.decided_on, what="结案日期")
    _transition(case, "close", Status.CLOSED, acting_user=acting_user, note=summary, fields={"closed_on": day},
                on=day)
    deadlines.complete_all(case, day)
    return case


@transaction.atomic(durable=True)
def archive(case: AidCase, *, acting_user: User, archive_number: str, on: dt.date | None = None) -> AidCase:
    """File the closed case's dossier (归档)."""
    case = _lock(case, "archive", acting_user)
    day = _on(on, not_before=case.closed_on, what="归档日期")
    if not archive_number.strip():
        raise CaseActionError("请填写档案号。")
    _transition(case, "archive", Status.ARCHIVED, acting_user=acting_user,
                fields={"archived_on": day, "archive_number": archive_number.strip()}, on=day)
    return case


def _check_advance_cap(case: AidCase, amount: Decimal) -> None:
    from jiuzhu.rules.amount import advance_cap_for
    from jiuzhu.rules.errors import NoWageBase

    try:
        cap = advance_cap_for(case.handling_org, clock.today())
    except NoWageBase as e:
        raise CaseActionError(str(e)) from None
    if amount > cap:
        raise CaseActionError(f"先行救助金额不能超过{cap:,.2f}元（当地职工月平均工资的规定倍数）。")


@transaction.atomic(durable=True)
def request_advance(case: AidCase, *, acting_user: User, amount: Decimal, urgency: str) -> AidCase:
    """Ask for advance aid for a victim whose life is in danger (先行救助)."""
    case = _lock(case, "request_advance", acting_user)
    from jiuzhu.funds.models import Payment

    if Payment.objects.filter(case=case, is_advance=True).exists():
        raise CaseActionError(f"本案已批准先行救助{case.advance_amount}元，不能再次申请；其余救助待审查决定后发放。")
    if amount is None or amount <= 0:
        raise CaseActionError("先行救助金额必须大于零。")
    _check_advance_cap(case, amount)
    if not urgency.strip():
        raise CaseActionError("请说明情况紧急、需要先行救助的理由。")
    _transition(case, "request_advance", Status.ADVANCE_REQUESTED, acting_user=acting_user, note=urgency,
                fields={"advance_amount": amount, "resume_status": case.status}, amount=amount)
    return case


@transaction.atomic(durable=True)
def approve_advance(case: AidCase, *, acting_user: User, amount: Decimal, on: dt.date | None = None,
                    note: str = "", payee_kind: str = "applicant", payee_name: str = "", bank_name: str = "",
                    account: str = "") -> AidCase:
    """Approve advance aid; the formalities are completed afterwards.

    The approval commits the amount on the handling procuratorate's budget and plans its payment
    (funds.actions.commit_advance); finance pays it through the ordinary pay flow. The payee defaults
    to the applicant and the bank account recorded for them.
    """
    case = _lock(case, "approve_advance", acting_user)
    day = _on(on, not_before=case.raised_on, what="批准日期")
    if case.raised_by_id == acting_user.pk:
        raise CasePermissionError("审批人不能审批自己提出的先行救助申请。")
    last_request = case.events.filter(action="request_advance").order_by("-at").first()
    if last_request is not None and last_request.actor_id == acting_user.pk:
        raise CasePermissionError("审批人不能审批自己提出的先行救助申请。")
    if amount is None or amount <= 0:
        raise CaseActionError("先行救助金额必须大于零。")
    _check_advance_cap(case, amount)
    applicant = case.applicant
    if payee_kind == "applicant" and applicant is not None:
        payee_name = payee_name.strip() or applicant.name
        if not account.strip():
            bank_name, account = bank_name.strip() or applicant.bank_name, str(applicant.bank_account or "")
    if not account.strip():
        raise CaseActionError("申请人未登记银行账号：请填写先行救助款的收款人、开户银行和银行账号。")
    _transition(case, "approve_advance", Status.ADVANCE_GRANTED, acting_user=acting_user, note=note,
                fields={"advance_amount": amount}, amount=amount, on=day)
    from jiuzhu.funds.actions import commit_advance

    commit_advance(case, acting_user=acting_user, amount=amount, on=day, payee_kind=payee_kind,
                   payee_name=payee_name, bank_name=bank_name, account=account)
    return case


@transaction.atomic(durable=True)
def refuse_advance(case: AidCase, *, acting_user: User, reasons: str) -> AidCase:
    """Refuse advance aid: the case goes back to where it was, and the ordinary procedure goes on."""
    case = _lock(case, "refuse_advance", acting_user)
    if not reasons.strip():
        raise CaseActionError("请写明不批准先行救助的理由。")
    back = case.resume_status or Status.CLUE
    _transition(case, "refuse_advance", back, acting_user=acting_user, note=reasons,
                fields={"advance_amount": None, "resume_status": ""})
    return case


@transaction.atomic(durable=True)
def complete_formalities(case: AidCase, *, acting_user: User, form: str, on: dt.date | None = None,
                         note: str = "") -> AidCase:
    """After advance aid: record the application and acceptance, and go on with the review."""
    case = _lock(case, "complete_formalities", acting_user)
    day = _on(on, not_before=case.raised_on, what="补办日期")
    if form not in AidCase.ApplicationForm.values:
        raise CaseActionError("请选择申请方式。")
    fields: dict[str, Any] = {"applied_on": case.applied_on or day, "application_form": form,
                              "accepted_on": case.accepted_on or day, "resume_status": "",
                              "handler": case.handler or acting_user}
    _transition(case, "complete_formalities", Status.UNDER_REVIEW, acting_user=acting_user, note=note,
                fields=fields, on=day)
    deadlines.complete_all(case, day)
    deadlines.start(case, Deadline.Kind.DECISION, day)
    return case


@transaction.atomic(durable=True)
def assign_handler(case: AidCase, *, acting_user: User, handler: User) -> AidCase:
    """Assign the procurator who handles the case."""
    _check_open(case, "assign_handler", acting_user)
    if not has_capability(handler, "handle_cases", case.handling_org):
        raise CaseActionError("承办人须为本院控告申诉检察部门的检察官。")
    AidCase.objects.filter(pk=case.pk).update(handler=handler)
    case.handler = handler
    _event(case, "assign_handler", acting_user=acting_user, kind=CaseEvent.Kind.ASSIGNED,
           note=f"承办人：{handler}")
    return case
