"""Follow-up, closing and archiving."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from jiuzhu.accounts.models import User
from jiuzhu.cases import deadlines
from jiuzhu.cases.actions.common import (
    CaseActionError,
    InvalidTransition,
    _lock,
    _on,
    _transition,
)
from jiuzhu.cases.events import CaseArchiving, CaseClosed, CaseClosing
from jiuzhu.cases.models import (
    AidCase,
    Status,
)
from jiuzhu.lib import events


def _check_fully_paid(case: AidCase, what: str) -> None:
    """Follow-up and closing come after the aid is paid: refuse while decided − paid − recovered > 0
    (an instalment returned by the bank and never reissued is money still owed)."""
    if case.decision == AidCase.Decision.GRANT:
        events.publish(CaseClosing(case=case, what=what))  # funds refuses while aid is owed



@transaction.atomic(savepoint=False)
def enter_follow_up(case: AidCase, *, acting_user: User, on: dt.date, note: str = "") -> AidCase:
    """Move a paid case to 回访 when its first follow-up visit is recorded: the one path into follow-up.

    Called by the support app (support.actions.record_visit) inside its transaction; the visit itself is the
    support app's record. Refused (FundsError from the funds app) while aid is still owed.
    """
    case = _lock(case, "start_follow_up", acting_user)
    _check_fully_paid(case, "进入回访")
    _on(on, not_before=case.paid_on, what="回访日期", not_before_what="发放日期")
    _transition(case, "start_follow_up", Status.FOLLOW_UP, acting_user=acting_user, note=note, on=on)
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
    events.publish(CaseClosed(case=case, on=day, acting_user=acting_user))
    return case



@transaction.atomic(durable=True)
def archive(case: AidCase, *, acting_user: User, archive_number: str, on: dt.date | None = None) -> AidCase:
    """File the closed case's dossier (归档)."""
    case = _lock(case, "archive", acting_user)
    day = _on(on, not_before=case.closed_on, what="归档日期")
    if not archive_number.strip():
        raise CaseActionError("请填写档案号。")
    events.publish(CaseArchiving(case=case))  # the documents app checks the dossier
    _transition(case, "archive", Status.ARCHIVED, acting_user=acting_user,
                fields={"archived_on": day, "archive_number": archive_number.strip()}, on=day)
    return case
