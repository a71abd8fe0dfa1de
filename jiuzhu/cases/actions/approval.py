"""Approval: the route's steps, separation of duties, the collective meeting, returning an opinion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from jiuzhu.accounts.models import User
from jiuzhu.cases import deadlines
from jiuzhu.cases.actions.common import (
    CaseActionError,
    CasePermissionError,
    _lock,
    _on,
    _transition,
    log_event,
)
from jiuzhu.cases.models import (
    AidCase,
    ApprovalStep,
    Deadline,
    Status,
)
from jiuzhu.lib import clock, dates


def _current_step(case: AidCase) -> ApprovalStep:
    step = case.approval_steps.filter(status=ApprovalStep.Status.PENDING).select_related("opinion").first()
    if step is None:
        raise CaseActionError("本案没有待审批的环节。")
    return step



def step_name(label: str) -> str:
    """The approval step as a deadline names it: "部门负责人" → "部门负责人审批"; a meeting keeps its name."""
    return label if label.endswith(("审批", "办公会", "委员会", "研究", "决定")) else f"{label}审批"



def _open_step(case: AidCase, step: ApprovalStep, day: dt.date) -> None:
    ApprovalStep.objects.filter(pk=step.pk).update(status=ApprovalStep.Status.PENDING)
    AidCase.objects.filter(pk=case.pk).update(awaiting_role=step.role)
    case.awaiting_role = step.role
    deadlines.start(case, Deadline.Kind.APPROVAL, day, step_label=step_name(step.label))



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
            check_route_order(case, step, ("会议日期", meeting["meeting_date"]))



def _meeting_before_decision(meeting: dict[str, Any] | None, day: dt.date) -> None:
    """The collective body meets first, then the decision is made: meeting date ≤ decision date."""
    held = (meeting or {}).get("meeting_date")
    if isinstance(held, dt.date) and held > day:
        raise CaseActionError(f"会议日期不能晚于决定日期（{day:%Y年%m月%d日}）。")


def route_so_far(case: AidCase, step: ApprovalStep) -> list[tuple[str, dt.date | None]]:
    """The dates before STEP, in the order they happened: acceptance, the opinion, each earlier approval."""
    from django.utils import timezone

    earlier = step.opinion.steps.filter(seq__lt=step.seq, status=ApprovalStep.Status.APPROVED).order_by("seq")
    return [("受理日期", case.accepted_on),
            ("审查意见提出日期", timezone.localdate(step.opinion.submitted_at)),
            *[(f"{s.label}审批日期", timezone.localdate(s.acted_at) if s.acted_at else None) for s in earlier]]


def check_route_order(case: AidCase, step: ApprovalStep, *later: tuple[str, dt.date | None]) -> None:
    """Refuse (change nothing) when a date given at STEP (the meeting, the decision) precedes the route so far."""
    message = dates.order_problem([*route_so_far(case, step), *later])
    if message:
        raise CaseActionError(message)



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
    log_event(case, "approve_step", acting_user=acting_user, note=f"{step.label}审批：{comment or '同意。'}报{later.label}。",
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
