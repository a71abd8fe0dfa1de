"""Advance aid (先行救助): request, approval (announced to the money), refusal, the formalities after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
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
)
from jiuzhu.cases.events import AdvanceApproved
from jiuzhu.cases.models import (
    AidCase,
    Deadline,
    Status,
)
from jiuzhu.lib import clock, events


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
    if case.events.filter(action="approve_advance").exists():  # approved once: its money is committed
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
    (announced as AdvanceApproved: funds.actions.commit_advance); finance pays it through the ordinary
    pay flow. The payee defaults
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
    events.publish(AdvanceApproved(case=case, acting_user=acting_user, amount=amount, on=day, payee_kind=payee_kind,
                                   payee_name=payee_name, bank_name=bank_name, account=account))
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
