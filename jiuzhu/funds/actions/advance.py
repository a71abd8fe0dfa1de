"""Advance aid's money (先行救助): committed on approval, settled on a refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.events import AdvanceApproved, Refused
from jiuzhu.cases.models import AidCase
from jiuzhu.funds.actions.common import (
    CommitResult,
    FundsError,
    K,
    S,
    _amount,
    _check_account,
    _check_room,
    _event,
    _locked_budget,
    _move,
    _paid_sum,
    _require,
    advance_committed,
)
from jiuzhu.funds.models import (
    Budget,
    Payment,
    Recovery,
)
from jiuzhu.lib import clock
from jiuzhu.orgs.policy import get_setting
from jiuzhu.people.idcard import mask_tail


@transaction.atomic(savepoint=False)
def commit_advance(case: AidCase, *, acting_user: User, amount: Decimal, on: dt.date, payee_kind: str,
                   payee_name: str, bank_name: str, account: str) -> CommitResult:
    """Commit approved advance aid on the handling procuratorate's budget of ON's year and plan its payment.

    The payment (instalment 0, `is_advance`) is paid by finance through the ordinary pay flow (a bank
    reference, the allocated-cash constraint, statement matching): the approver records the decision,
    not the bank's payment. Over the uncommitted budget the setting `funds.over_budget` blocks or warns.
    Composable: `cases.actions.approve_advance` calls it inside its transaction, after moving the case.
    """
    case = AidCase.objects.select_for_update().select_related("handling_org").get(pk=case.pk)
    _require(acting_user, case.handling_org, Capability.APPROVE_ADVANCE, what="批准先行救助")
    amount = _amount(amount, "先行救助金额")
    if Payment.objects.filter(case=case, is_advance=True).exists():
        raise FundsError("本案已批准先行救助，不能重复批准。")
    if payee_kind not in (Payment.PayeeKind.APPLICANT, Payment.PayeeKind.GUARDIAN):
        raise FundsError("先行救助款应直接支付给申请人本人或其监护人。")
    if not payee_name.strip() or not bank_name.strip():
        raise FundsError("请填写先行救助款的收款人和开户银行。")
    account = _check_account(account)
    budget = _locked_budget(case.handling_org, on.year)
    result = CommitResult(contributions=[])
    _check_room(budget, amount, result, what="本次先行救助")
    _move(budget, K.COMMITMENT, amount, acting_user=acting_user, on=on, case=case,
          note=f"案件{case.number}先行救助")
    payment = Payment.objects.create(
        case=case, budget=budget, instalment_no=0, is_advance=True, amount=amount, due_on=on,
        payee_kind=payee_kind, payee_name=payee_name.strip()[:100], bank_name=bank_name.strip()[:100],
        account=account, account_masked=mask_tail(account), reference=f"P-{case.pk}-0-1", created_by=acting_user)
    _event(case, "funds_advance", acting_user=acting_user,
           note=f"先行救助{amount:,.2f}元列支{budget.org.name}{budget.fiscal_year}年度预算，待财务部门支付（{payment.reference}）",
           warnings="；".join(result.warnings))
    return result



def on_advance_approved(event: AdvanceApproved) -> None:
    """Subscriber: approved advance aid is committed and its payment planned, in the approval's transaction."""
    commit_advance(event.case, acting_user=event.acting_user, amount=event.amount, on=event.on,
                   payee_kind=event.payee_kind, payee_name=event.payee_name, bank_name=event.bank_name,
                   account=event.account)



def on_refused(event: Refused) -> None:
    """Subscriber: a refusal settles the advance aid (`settle_advance_on_refusal`)."""
    settle_advance_on_refusal(event.case, acting_user=event.acting_user, on=event.on, reasons=event.reasons)



@transaction.atomic(savepoint=False)
def settle_advance_on_refusal(case: AidCase, *, acting_user: User, on: dt.date, reasons: str) -> Recovery | None:
    """After a refusal: cancel the unpaid advance payment, release its commitment, recover what was paid.

    Composable: `cases.actions.decide_refuse` calls it inside its transaction. Returns the Recovery
    opened for the advance paid (ground: advance aid later refused), or None when nothing was paid.
    """
    advance = advance_committed(case)
    if not advance:
        return None
    payments = list(Payment.objects.select_for_update().filter(case=case, is_advance=True).order_by("pk"))
    open_ids = [p.pk for p in payments if p.is_open]
    if open_ids:
        Payment.objects.filter(pk__in=open_ids, status__in=[S.SCHEDULED, S.ORDERED]).update(status=S.CANCELLED)
    paid = _paid_sum(Payment.objects.filter(case=case, is_advance=True))
    unpaid = advance - paid
    budget = Budget.objects.select_for_update().select_related("org").get(pk=payments[0].budget_id)
    if unpaid > 0:
        _move(budget, K.RELEASE, unpaid, acting_user=acting_user, on=on, case=case,
              note=f"案件{case.number}不予救助，释放未支付的先行救助")
    recovery = None
    recover = get_setting(case.handling_org, "funds.recover_refused_advance")
    if recover and paid > 0 and not Recovery.objects.filter(case=case).exists():
        recovery = Recovery.objects.create(
            case=case, budget=budget, ground=Recovery.Ground.ADVANCE_REFUSED,
            facts=f"先行救助{paid:,.2f}元已发放，经审查决定不予救助：{reasons.strip()}"[:2000],
            amount_due=paid, decided_on=on, created_by=acting_user, created_at=clock.now())
    _event(case, "funds_advance_refused", acting_user=acting_user,
           note=(f"不予救助：先行救助已支付{paid:,.2f}元" + (("，应予追回" if recover else "，按本地规定不予追回") if paid else "")
                 + (f"；未支付的{unpaid:,.2f}元取消并释放预算" if unpaid > 0 else "")),
           paid=paid, released=max(unpaid, Decimal(0)))
    return recovery
