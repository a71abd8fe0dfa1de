"""Paying the aid: funds at hand (资金到位), the payment plan, paying, returns (退票) and reissues."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.events import CaseClosing, FundsArrivalReported
from jiuzhu.cases.models import AidCase
from jiuzhu.funds.actions.common import (
    FundsError,
    K,
    S,
    _amount,
    _check_account,
    _day,
    _event,
    _move,
    _refresh_case_paid,
    _require,
    advance_committed,
)
from jiuzhu.funds.events import CustodianPaymentPaid
from jiuzhu.funds.models import (
    Budget,
    Contribution,
    Payment,
)
from jiuzhu.funds.queries import unpaid_aid
from jiuzhu.lib import clock, events
from jiuzhu.people.idcard import mask_tail


def _unpaid_by_contribution(case: AidCase, contributions: list[Contribution]) -> dict[int, Decimal]:
    """Each contribution's share not yet paid; the advance (paid or not: it has its own payment and
    commitment) is taken off the handling procuratorate's share."""
    paid: dict[int, Decimal] = {}
    for cid, amount in Payment.objects.filter(case=case, status=S.PAID, is_advance=False).values_list(
            "contribution_id", "amount"):
        paid[cid] = paid.get(cid, Decimal(0)) + amount
    advance = advance_committed(case)
    out = {}
    for c in contributions:
        taken = advance if c.org_id == case.handling_org_id else Decimal(0)
        out[c.pk] = c.amount - taken - paid.get(c.pk, Decimal(0))
    return out



@transaction.atomic(durable=True)
def record_funds_arrival(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Record that the money for CASE is at hand (资金到位): see `_arrive`."""
    return _arrive(case, acting_user=acting_user, on=on, note=note)



def on_funds_arrival_reported(event: FundsArrivalReported) -> None:
    """Subscriber: the case page's 登记资金到位 (cases.actions.record_funds) is checked and done here."""
    _arrive(event.case, acting_user=event.acting_user, on=event.on, note=event.note)



@transaction.atomic(savepoint=False)
def _arrive(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Record that the money for CASE is at hand (资金到位) and start the payment-notice deadline.

    Every contributing procuratorate's allocated money not yet paid out (财政核拨 less payments) must
    cover its unpaid share of the case; otherwise finance must first record the allocation. The case
    moves 已送达 → 待发放 and the 2-working-day notice clock (domain.md §6 step 12) starts.
    """
    case = AidCase.objects.select_for_update().select_related("handling_org").get(pk=case.pk)
    _require(acting_user, case.handling_org, Capability.HANDLE_CASES, Capability.FINANCE, what="登记资金到位")
    if case.decision == AidCase.Decision.GRANT:
        contributions = list(Contribution.objects.filter(case=case).select_related("budget", "org").order_by("pk"))
        if not contributions:
            raise FundsError("本案尚未登记资金承诺（出资），不能登记资金到位。")
        unpaid = _unpaid_by_contribution(case, contributions)
        need: dict[int, Decimal] = {}
        for c in contributions:
            need[c.budget_id] = need.get(c.budget_id, Decimal(0)) + unpaid[c.pk]
        for p in Payment.objects.filter(case=case, is_advance=True, status__in=[S.SCHEDULED, S.ORDERED]):
            need[p.budget_id] = need.get(p.budget_id, Decimal(0)) + p.amount  # the advance not yet paid
        for budget in Budget.objects.filter(pk__in=need).select_related("org").order_by("pk"):
            if need[budget.pk] > budget.available_cash:
                raise FundsError(f"{budget.org.name}{budget.fiscal_year}年度财政核拨资金可支付余额"
                                 f"{budget.available_cash:,.2f}元，不足本案待发放的{need[budget.pk]:,.2f}元。"
                                 "请先登记财政核拨（或向财政部门申请追加）。")
    case = case_actions.funds_arrived(case, acting_user=acting_user, on=on, note=note or "资金到位，应在2个工作日内通知申请人领取。")
    if case.decided_amount and case.paid_amount >= case.decided_amount:  # all paid already, as advance aid
        case_actions.payment_made(case, acting_user=acting_user, on=case.funds_arrived_on or clock.today(),
                                  instalments=1)
    return case



def refuse_while_unpaid(event: CaseClosing) -> None:
    """Subscriber: follow-up and closing come after the aid is paid; refuse while decided − paid −
    recovered > 0 (an instalment returned by the bank and never reissued is money still owed)."""
    if (owed := unpaid_aid(event.case)) > 0:
        raise case_actions.CaseActionError(f"尚有 {owed:,.2f} 元救助金未发放，不能{event.what}。")



@transaction.atomic(durable=True)
def schedule_payments(case: AidCase, *, acting_user: User, plan: list[tuple[Decimal, dt.date]], payee_kind: str,
                      payee_name: str, bank_name: str, account: str) -> list[Payment]:
    """Plan the payment of a granted case: one sum or instalments that add up to the decided amount.

    Instalments are charged to the contributions in order; an instalment may not straddle two
    contributors (split it instead).
    """
    case = AidCase.objects.select_for_update().select_related("handling_org").get(pk=case.pk)
    _require(acting_user, case.handling_org, Capability.HANDLE_CASES, Capability.FINANCE, what="制定发放计划")
    contributions = list(Contribution.objects.filter(case=case).select_related("budget").order_by("pk"))
    if not contributions:
        raise FundsError("本案尚未登记资金承诺（出资），不能制定发放计划。")
    if Payment.objects.filter(case=case, is_advance=False).exclude(status=S.CANCELLED).exists():
        raise FundsError("本案已制定发放计划。")
    if not plan:
        raise FundsError("请至少填写一期发放金额和日期。")
    if payee_kind not in Payment.PayeeKind.values:
        raise FundsError("请选择收款人类型。")
    if not payee_name.strip() or not bank_name.strip():
        raise FundsError("请填写收款人和开户银行。")
    if not account.strip():  # the form's default: the applicant's registered account
        registered = case.applicant.bank_account if case.applicant else ""
        if payee_kind != Payment.PayeeKind.APPLICANT or not registered:
            raise FundsError("请填写银行账号（申请人未登记收款账号，或收款人不是申请人本人）。")
        account = str(registered)
    account = _check_account(account)
    amounts = [_amount(a, f"第{i}期金额") for i, (a, _) in enumerate(plan, 1)]
    for i, (_, due_on) in enumerate(plan, 1):  # planned payment ≥ decision date, not beyond the horizon
        _day(due_on, f"第{i}期计划发放日期", past=False, default_today=False, not_before=case.decided_on,
             not_before_what="决定日期")
    advance = advance_committed(case)
    payable = case.decided_amount - advance  # type: ignore[operator]
    if sum(amounts, Decimal(0)) != payable:
        raise FundsError(f"各期金额合计{sum(amounts, Decimal(0)):,.2f}元，与应发放金额{payable:,.2f}元不一致"
                         f"（决定救助金额{case.decided_amount:,.2f}元" + (f"，已先行救助{advance:,.2f}元" if advance else "")
                         + "）。")
    if payable <= 0:
        raise FundsError("本案救助金已全部先行发放，无需制定发放计划。")
    # Advance aid (committed and paid as instalment 0) is taken off the handling procuratorate's share.
    remaining = [c.amount - (advance if c.org_id == case.handling_org_id else 0) for c in contributions]
    payments = []
    index = 0
    for no, (amount, (_, due_on)) in enumerate(zip(amounts, plan, strict=True), 1):
        while remaining[index] == 0:
            index += 1
        if amount > remaining[index]:
            raise FundsError(f"第{no}期金额跨越两个出资院的出资额，请按各院出资额拆分分期。")
        remaining[index] -= amount
        c = contributions[index]
        payments.append(Payment.objects.create(
            case=case, contribution=c, budget=c.budget, instalment_no=no, amount=amount, due_on=due_on,
            payee_kind=payee_kind, payee_name=payee_name.strip(), bank_name=bank_name.strip(), account=account,
            account_masked=mask_tail(account), reference=f"P-{case.pk}-{no}-1", created_by=acting_user))
    _event(case, "funds_schedule", acting_user=acting_user,
           note="；".join(f"第{p.instalment_no}期{p.amount:,.2f}元（{p.due_on:%Y-%m-%d}）" for p in payments))
    return payments



@transaction.atomic(savepoint=False)
def _pay(payment: Payment, *, acting_user: User, bank_reference: str, paid_on: dt.date) -> Payment:
    # The row lock makes concurrent submissions of the same payment queue up; each one after the
    # first sees status "paid" and returns without writing.
    p = Payment.objects.select_for_update().select_related("budget__org", "case").get(pk=payment.pk)
    _require(acting_user, p.budget.org, Capability.FINANCE, what="登记支付")
    if p.status == S.PAID:
        if p.bank_reference != bank_reference:
            raise FundsError(f"付款{p.reference}已于{p.paid_on:%Y-%m-%d}支付（银行流水号{p.bank_reference}）。")
        return p
    if p.status not in (S.SCHEDULED, S.ORDERED):
        raise FundsError(f"付款{p.reference}状态为“{p.get_status_display()}”，不能登记支付。")
    if Payment.objects.filter(bank_reference=bank_reference).exclude(pk=p.pk).exists():
        raise FundsError(f"银行流水号{bank_reference}已用于另一笔付款。")
    if p.is_advance:
        if paid_on < p.due_on:
            raise FundsError("支付日期不能早于先行救助批准日期。")
    elif paid_on < p.case.decided_on:  # type: ignore[operator]
        raise FundsError("支付日期不能早于决定日期。")
    updated = Payment.objects.filter(pk=p.pk, status__in=[S.SCHEDULED, S.ORDERED]).update(
        status=S.PAID, bank_reference=bank_reference, paid_on=paid_on)
    if updated != 1:
        raise FundsError("该笔付款刚刚已被他人处理，请刷新页面。")
    p.status, p.bank_reference, p.paid_on = S.PAID, bank_reference, paid_on
    budget = Budget.objects.select_for_update().get(pk=p.budget_id)
    _move(budget, K.PAYMENT, p.amount, acting_user=acting_user, on=paid_on, case=p.case, payment=p,
          document_number=bank_reference, note=f"付款{p.reference}")
    total = _refresh_case_paid(p.case_id)
    _event(p.case, "payment", acting_user=acting_user,
           note=f"{p.instalment_label}支付{p.amount:,.2f}元，银行流水号{bank_reference}",
           reference=p.reference, amount=p.amount, paid_total=total, on=paid_on)
    if p.is_advance and not (p.case.decided_amount and total >= p.case.decided_amount):
        return p  # the advance is paid before the decision: it moves the case only if it pays it all
    case_actions.payment_made(p.case, acting_user=acting_user, on=paid_on,
                 # Joint aid paid by each contributor on the same day is still one sum: count the dates.
                 instalments=Payment.objects.filter(case=p.case, is_advance=False).exclude(status=S.CANCELLED)
                 .values("due_on").distinct().count(),
                 custody=p.payee_kind == Payment.PayeeKind.CUSTODIAN)
    if p.payee_kind == Payment.PayeeKind.CUSTODIAN:  # the custody sub-ledger's deposit (custody subscribes)
        events.publish(CustodianPaymentPaid(payment=p, acting_user=acting_user))
    return p



@transaction.atomic(durable=True)
def pay(payment: Payment, *, acting_user: User, bank_reference: str, paid_on: dt.date | None = None) -> Payment:
    """Mark PAYMENT paid by the bank; paying it again returns it unchanged (no second ledger row)."""
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise FundsError("请填写银行流水号。")
    return _pay(payment, acting_user=acting_user, bank_reference=bank_reference, paid_on=_day(paid_on, "支付日期"))



@transaction.atomic(durable=True)
def mark_returned(payment: Payment, *, acting_user: User, on: dt.date | None = None, reason: str) -> Payment:
    """Record that the bank sent a paid payment back (退票); the money is available again."""
    p = Payment.objects.select_for_update().select_related("budget__org", "case").get(pk=payment.pk)
    _require(acting_user, p.budget.org, Capability.FINANCE, what="登记退票")
    if not reason.strip():
        raise FundsError("请填写退票原因。")
    if p.status != S.PAID:
        raise FundsError(f"付款{p.reference}状态为“{p.get_status_display()}”，只有已支付的付款可以登记退票。")
    if p.custody_entries.exists():
        raise FundsError(f"付款{p.reference}已存入代管账户并记入代管台账，不能登记退票；请与代管机构核对。")
    day = _day(on, "退票日期")
    if day < p.paid_on:  # type: ignore[operator]
        raise FundsError("退票日期不能早于支付日期。")
    Payment.objects.filter(pk=p.pk, status=S.PAID).update(status=S.RETURNED, returned_on=day,
                                                          return_reason=reason.strip()[:200])
    p.status, p.returned_on, p.return_reason = S.RETURNED, day, reason.strip()[:200]
    budget = Budget.objects.select_for_update().get(pk=p.budget_id)
    _move(budget, K.RETURN, p.amount, acting_user=acting_user, on=day, case=p.case, payment=p,
          document_number=p.bank_reference, note=reason)
    total = _refresh_case_paid(p.case_id)
    _event(p.case, "payment_returned", acting_user=acting_user, note=f"付款{p.reference}退票：{reason}",
           reference=p.reference, amount=p.amount, paid_total=total)
    return p



@transaction.atomic(durable=True)
def reissue(payment: Payment, *, acting_user: User, bank_name: str, account: str, payee_name: str = "",
            due_on: dt.date | None = None) -> Payment:
    """Issue a returned payment again, usually to a corrected account; a new reference is given."""
    p = Payment.objects.select_for_update().select_related("budget__org", "case").get(pk=payment.pk)
    _require(acting_user, p.budget.org, Capability.FINANCE, Capability.HANDLE_CASES, what="重新发放")
    if p.status != S.RETURNED:
        raise FundsError("只有已退票的付款可以重新发放。")
    if Payment.objects.filter(reissue_of=p).exists():
        raise FundsError(f"付款{p.reference}已重新发放。")
    if p.is_advance and p.case.decision == AidCase.Decision.REFUSE:
        raise FundsError("本案已决定不予救助，退回的先行救助款不再发放。")
    if not bank_name.strip():
        raise FundsError("请填写开户银行。")
    account = _check_account(account)
    due_on = _day(due_on, "计划发放日期", past=False, not_before=p.returned_on, not_before_what="退票日期")
    version = Payment.objects.filter(case=p.case, instalment_no=p.instalment_no).count() + 1
    new = Payment.objects.create(
        case=p.case, contribution=p.contribution, budget=p.budget, instalment_no=p.instalment_no,
        is_advance=p.is_advance, amount=p.amount,
        due_on=due_on, payee_kind=p.payee_kind, payee_name=payee_name.strip() or p.payee_name,
        bank_name=bank_name.strip(), account=account, account_masked=mask_tail(account),
        reference=f"P-{p.case_id}-{p.instalment_no}-{version}", reissue_of=p, created_by=acting_user)
    _event(p.case, "payment_reissued", acting_user=acting_user, note=f"付款{p.reference}退票后重新发放为{new.reference}",
           reference=new.reference)
    return new
