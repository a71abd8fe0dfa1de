"""Intake: the clue, the parties, the notice of the right to apply, the application, 补正 and acceptance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import User
from jiuzhu.cases import deadlines
from jiuzhu.cases.actions.common import (
    CaseActionError,
    CasePermissionError,
    _check_open,
    _lock,
    _next_number,
    _on,
    _transition,
    log_event,
)
from jiuzhu.cases.events import AcceptanceNoticeServedOnSpot
from jiuzhu.cases.models import (
    AidCase,
    CaseEvent,
    CaseGroup,
    CaseParty,
    Channel,
    Deadline,
    OriginalCase,
    Record,
    Status,
)
from jiuzhu.lib import events
from jiuzhu.orgs.models import Organisation
from jiuzhu.people.actions import get_or_create_person
from jiuzhu.people.models import Person
from jiuzhu.people.phones import clean_phone


def _raise_clue(
    org: Organisation, *, acting_user: User, channel: str, person_name: str, id_number: str = "",
    phone: str = "", address: str = "", original_case_number: str = "", charge: str = "",
    stage: str = "", offender_ability: str = OriginalCase.OffenderAbility.UNKNOWN, clue_summary: str = "",
    groups: list[str] | None = None, on: dt.date | None = None, is_ex_officio: bool = False,
    source_detail: str = "", number: str = "", found_on: dt.date | None = None, relationship: str = "",
    applicant_language: str = "zh-hans",
) -> AidCase:
    """Record a clue that someone may qualify for aid, in the procuratorate ORG.

    FOUND_ON: for a case department's clue, when it found the possible victim; the transfer to the
    complaint department is then recorded as a deadline met or missed (deadline.clue_transfer_working_days).
    RELATIONSHIP: the applicant's relationship to the victim when she is not the victim (e.g. 母亲).
    CHARGE without a case number (an applicant often does not know it) is kept on an original case whose
    number says it is still to be found (案号待查), one per aid case.
    APPLICANT_LANGUAGE: the language the applicant reads (zh-hans or bo).
    """
    if not (has_capability(acting_user, "raise_clues", org) or has_capability(acting_user, "handle_cases", org)):
        raise CasePermissionError("您无权在该检察院登记救助线索。")
    day = _on(on, what="线索日期")
    if channel not in Channel.values:
        raise CaseActionError("线索来源不正确。")
    if found_on is not None and found_on > day:
        raise CaseActionError("发现日期不能晚于线索（移送）日期。")
    person, _ = get_or_create_person(name=person_name, id_number=id_number, phone=phone, address=address)
    from jiuzhu.lib.i18n import APPLICANT_LANGUAGES

    if applicant_language not in dict(APPLICANT_LANGUAGES):
        raise CaseActionError("申请人使用语言不正确。")
    number = number or _next_number(org, day.year)
    original = None
    if original_case_number.strip():
        original, _ = OriginalCase.objects.get_or_create(
            org=org, case_number=original_case_number.strip(),
            defaults={"charge": charge, "stage": stage, "offender_ability": offender_ability})
    elif charge.strip():
        original = OriginalCase.objects.create(org=org, case_number=f"案号待查（{number}）", charge=charge.strip(),
                                               stage=stage, offender_ability=offender_ability)
    case = AidCase.objects.create(
        number=number, handling_org=org, original_case=original, applicant_language=applicant_language,
        status=Status.CLUE, channel=channel, source_detail=source_detail,
        is_ex_officio=is_ex_officio or channel in (Channel.CASE_DEPARTMENT, Channel.EX_OFFICIO),
        raised_by=acting_user, applicant=person, clue_summary=clue_summary, raised_on=day,
        handler=acting_user if has_capability(acting_user, "handle_cases", org) else None,
    )
    CaseParty.objects.create(case=case, person=person, role=CaseParty.Role.APPLICANT,
                             relationship=relationship.strip()[:30])
    set_groups(case, groups or [])
    log_event(case, "raise_clue", acting_user=acting_user, kind=CaseEvent.Kind.CREATED, new=Status.CLUE,
           note=clue_summary, channel=channel, on=day)
    if found_on is not None and channel == Channel.CASE_DEPARTMENT:
        _record_clue_transfer(case, found_on, day, acting_user)
    return case


raise_clue = transaction.atomic(durable=True)(_raise_clue)



def _record_clue_transfer(case: AidCase, found_on: dt.date, day: dt.date, acting_user: User) -> None:
    """Record the case department's transfer as a deadline started when it found the person, met (or
    missed) on the day the clue reached the complaint department; the statistics count compliance."""
    from jiuzhu.cases import deadlines

    due = deadlines.due_date(case, Deadline.Kind.CLUE_TRANSFER, found_on)
    Deadline.objects.create(case=case, kind=Deadline.Kind.CLUE_TRANSFER, starts_on=found_on, due_on=due,
                            completed_on=day, outcome=Deadline.Outcome.DONE)
    if day > due:
        log_event(case, "clue_transfer_late", acting_user=acting_user, kind=CaseEvent.Kind.DEADLINE,
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
    log_event(case, "add_party", acting_user=acting_user, note=f"{party.get_role_display()}：{person.display_name}")
    return party



@transaction.atomic(durable=True)
def update_applicant(case: AidCase, *, acting_user: User, groups: list[str] | None = None,
                     applicant_language: str | None = None, **details: Any) -> Person:
    """Fill in or correct the applicant's details (ID number, phone, address, bank account…), groups and
    the language the applicant reads (APPLICANT_LANGUAGE: zh-hans or bo; messages and papers follow it)."""
    _check_open(case, "add_record", acting_user)
    if groups is not None:
        set_groups(case, groups)
    if applicant_language and applicant_language != case.applicant_language:
        from jiuzhu.lib.i18n import APPLICANT_LANGUAGES

        if applicant_language not in dict(APPLICANT_LANGUAGES):
            raise CaseActionError("申请人使用语言不正确。")
        AidCase.objects.filter(pk=case.pk).update(applicant_language=applicant_language)
        case.applicant_language = applicant_language
        log_event(case, "update_applicant", acting_user=acting_user,
                  note=f"申请人使用语言改为{dict(APPLICANT_LANGUAGES)[applicant_language]}。")
    person = case.applicant
    assert person is not None
    from jiuzhu.cases.reveal import has_cases_outside
    from jiuzhu.people.actions import apply_id_number, find_person_by_id_number

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
            log_event(case, "update_applicant", acting_user=acting_user, note="申请人身份证号码与已登记当事人一致，已关联。")
            return other
        apply_id_number(person, id_number)
    if any(v not in (None, "") for v in details.values()) and has_cases_outside(person, acting_user):
        raise CaseActionError("该当事人同时是其他检察院案件的当事人，其联系方式和银行账户不能在本院修改。")
    changed = []
    for k, v in details.items():
        if v not in (None, "") and getattr(person, k) != v:
            setattr(person, k, v)
            changed.append(k)
    person.save()
    log_event(case, "update_applicant", acting_user=acting_user, note="更新申请人信息",
           fields=sorted(changed + (["id_number"] if id_number else [])))
    return person



@transaction.atomic(durable=True)
def notify_right(case: AidCase, *, acting_user: User, manner: str, on: dt.date | None = None,
                 note: str = "") -> AidCase:
    """Record that the person was told of their right to apply (written or oral notice)."""
    case = _lock(case, "notify_right", acting_user)
    day = _on(on, not_before=case.raised_on, what="告知日期")
    _transition(case, "notify_right", Status.NOTIFIED, acting_user=acting_user, note=note,
                fields={"notified_on": day}, manner=manner, on=day)
    return case



def _register_application(case: AidCase, *, acting_user: User, form: str, on: dt.date | None = None,
                          oral_record: str = "", note: str = "", interpreter_name: str = "",
                          interpreter_id_number: str = "", interpreter_language: str = "") -> AidCase:
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
        from jiuzhu.people.interpreters import interpreter_fields

        Record.objects.create(case=case, kind=Record.Kind.ORAL_APPLICATION, held_on=day, content=oral_record,
                              recorded_by=acting_user, **interpreter_fields(
                                  name=interpreter_name, id_number=interpreter_id_number,
                                  language=interpreter_language, error=CaseActionError))
    deadlines.start(case, Deadline.Kind.SUPPLEMENT_NOTICE, day)
    if case.handler_id is None and has_capability(acting_user, "handle_cases", case.handling_org):
        AidCase.objects.filter(pk=case.pk).update(handler=acting_user)
        case.handler = acting_user
    return case


register_application = transaction.atomic(durable=True)(_register_application)


@transaction.atomic(durable=True)
def register_walk_in(
    org: Organisation, *, acting_user: User, person_name: str, form: str, clue_summary: str,
    id_number: str = "", phone: str = "", address: str = "", original_case_number: str = "", charge: str = "",
    stage: str = "", offender_ability: str = OriginalCase.OffenderAbility.UNKNOWN, groups: list[str] | None = None,
    on: dt.date | None = None, oral_record: str = "", note: str = "", applicant_language: str = "zh-hans",
    interpreter_name: str = "", interpreter_id_number: str = "", interpreter_language: str = "",
) -> AidCase:
    """来访申请: a person applies at the counter. The case (channel walk-in) and its application are made in one
    step, dated the day of the visit, instead of a 线索 first and then 登记救助申请 (issue 13); both are the
    ordinary steps (raise_clue's and register_application's rules and events), in one transaction, so a
    refused application (an oral one without its record …) leaves no case behind."""
    if not has_capability(acting_user, "handle_cases", org):
        raise CasePermissionError("您无权在该检察院登记来访申请。")
    case = _raise_clue(org, acting_user=acting_user, channel=Channel.WALK_IN, person_name=person_name,
                       id_number=id_number, phone=phone, address=address, original_case_number=original_case_number,
                       charge=charge, stage=stage, offender_ability=offender_ability, clue_summary=clue_summary,
                       groups=groups, on=on, applicant_language=applicant_language)
    return _register_application(case, acting_user=acting_user, form=form, on=case.raised_on,
                                 oral_record=oral_record, note=note, interpreter_name=interpreter_name,
                                 interpreter_id_number=interpreter_id_number,
                                 interpreter_language=interpreter_language)



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
def accept(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "",
           serve_notice: bool = False) -> AidCase:
    """Accept the application; the decision clock (10 working days by default) starts. With SERVE_NOTICE
    (the applicant at the counter) the 受理通知书 is issued and served on the spot, recorded on the document."""
    case = _lock(case, "accept", acting_user)
    day = _on(on, not_before=case.applied_on, what="受理日期")
    if case.applicant is None or not case.applicant.id_number_bidx:
        raise CaseActionError("受理前须登记申请人的身份证号码（“补充申请人信息”）。")
    _transition(case, "accept", Status.ACCEPTED, acting_user=acting_user, note=note,
                fields={"accepted_on": day}, on=day)
    deadlines.complete(case, Deadline.Kind.SUPPLEMENT_NOTICE, day)
    deadlines.start(case, Deadline.Kind.DECISION, day)
    if serve_notice:
        events.publish(AcceptanceNoticeServedOnSpot(case=case, acting_user=acting_user, on=day))
    return case
