"""Statutory deadlines of a case: started, paused, resumed and completed by the actions."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Subquery

from jiuzhu.calendar import workdays
from jiuzhu.cases.models import AidCase, Deadline
from jiuzhu.orgs.policy import get_setting

# Each deadline kind: the setting holding its length, and whether it counts working days.
RULES: dict[str, tuple[str, bool]] = {
    Deadline.Kind.SUPPLEMENT_NOTICE: ("deadline.supplement_notice_working_days", True),
    Deadline.Kind.SUPPLEMENT: ("deadline.supplement_days", False),
    Deadline.Kind.DECISION: ("deadline.decision_working_days", True),
    Deadline.Kind.PAYMENT_NOTICE: ("deadline.payment_notice_working_days", True),
    Deadline.Kind.APPROVAL: ("approval.step_working_days", True),
    Deadline.Kind.CLUE_TRANSFER: ("deadline.clue_transfer_working_days", True),
}


def refresh_next_due(case: AidCase) -> None:
    """Store the case's earliest running deadline on the case (what the worklist sorts by)."""
    running = (Deadline.objects.filter(case=OuterRef("pk"), completed_on__isnull=True, paused_on__isnull=True)
               .order_by("due_on").values("due_on")[:1])
    AidCase.objects.filter(pk=case.pk).update(next_due=Subquery(running))


def due_date(case: AidCase, kind: str, start: dt.date) -> dt.date:
    """Return when a deadline of KIND started on START falls due, under the case's settings."""
    key, working = RULES[kind]
    length = get_setting(case.handling_org, key)
    if working:
        return workdays.add_working_days(start, length)
    # A period in days that ends on a weekend or a statutory holiday ends on the next working day
    # (the usual rule for procedural periods; domain.md is silent, so it is a setting's matter later).
    due = workdays.add_days(start, length)
    while not workdays.is_working_day(due):
        due += dt.timedelta(days=1)
    return due


def start(case: AidCase, kind: str, on: dt.date, *, step_label: str = "") -> Deadline:
    """Start (or restart) the deadline of KIND on ON; STEP_LABEL names the step of a repeated kind (审批)."""
    complete(case, kind, on)
    deadline = Deadline.objects.create(case=case, kind=kind, step_label=step_label, starts_on=on,
                                       due_on=due_date(case, kind, on))
    refresh_next_due(case)
    return deadline


def complete(case: AidCase, kind: str, on: dt.date, outcome: str = Deadline.Outcome.DONE) -> None:
    """Mark the open deadline of KIND finished, with its OUTCOME."""
    Deadline.objects.filter(case=case, kind=kind, completed_on__isnull=True).update(completed_on=on, outcome=outcome)
    refresh_next_due(case)


def complete_all(case: AidCase, on: dt.date) -> None:
    """End every open deadline: the case left the steps they belong to."""
    Deadline.objects.filter(case=case, completed_on__isnull=True).update(
        completed_on=on, outcome=Deadline.Outcome.CANCELLED, paused_on=None)
    refresh_next_due(case)


def pause(case: AidCase, kind: str, on: dt.date) -> None:
    """Stop the clock of KIND on ON, keeping the working days that were left."""
    for d in Deadline.objects.filter(case=case, kind=kind, completed_on__isnull=True, paused_on__isnull=True):
        d.remaining_working_days = max(0, workdays.working_days_between(on, d.due_on))
        d.paused_on = on
        d.save(update_fields=["remaining_working_days", "paused_on"])
    refresh_next_due(case)


def resume(case: AidCase, kind: str, on: dt.date) -> None:
    """Restart a paused clock of KIND on ON with the working days that were left."""
    for d in Deadline.objects.filter(case=case, kind=kind, completed_on__isnull=True, paused_on__isnull=False):
        d.due_on = max(workdays.add_working_days(on, d.remaining_working_days or 0), d.starts_on)
        d.paused_on = None
        d.remaining_working_days = None
        d.save(update_fields=["due_on", "paused_on", "remaining_working_days"])
    refresh_next_due(case)
