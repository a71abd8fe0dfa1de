"""Recovery (追回): opening it, receipts, transfer to the treasury, notes on liability."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.models import AidCase
from jiuzhu.funds.actions.common import (
    FundsError,
    K,
    _amount,
    _day,
    _event,
    _locked_budget,
    _move,
    _require,
)
from jiuzhu.funds.models import (
    Budget,
    Contribution,
    Recovery,
    RecoveryEntry,
)
from jiuzhu.lib import clock


def _recovery_budget(case: AidCase) -> Budget:
    """The budget a case's recovery is credited to: the handling procuratorate's contribution, else the first."""
    contributions = list(Contribution.objects.filter(case=case).select_related("org").order_by("pk"))
    own = next((c for c in contributions if c.org_id == case.handling_org_id), None) or (
        contributions[0] if contributions else None)
    if own is not None:
        return _locked_budget(own.org, own.budget.fiscal_year)
    year = (case.decided_on or case.raised_on or clock.today()).year
    return _locked_budget(case.handling_org, year)



@transaction.atomic(durable=True)
def open_recovery(case: AidCase, *, acting_user: User, ground: str, facts: str, amount_due: Decimal,
                  on: dt.date | None = None, document_number: str = "") -> Recovery:
    """Decide to recover aid paid on CASE (fraud, concealment, advance aid later refused): one per case."""
    case = AidCase.objects.select_for_update().select_related("handling_org").get(pk=case.pk)
    _require(acting_user, case.handling_org, Capability.HANDLE_CASES, Capability.APPROVE, what="登记救助金追回")
    if ground not in Recovery.Ground.values:
        raise FundsError("请选择追回事由。")
    if not facts.strip():
        raise FundsError("请写明认定的事实和依据。")
    amount_due = _amount(amount_due, "应追回金额")
    if amount_due > case.paid_amount:
        raise FundsError(f"应追回金额不能超过本案已发放的{case.paid_amount:,.2f}元。")
    if ground == Recovery.Ground.ADVANCE_REFUSED and not case.advance_amount:
        raise FundsError("本案没有先行救助，不能以“先行救助后不予救助”为由追回。")
    if Recovery.objects.filter(case=case).exists():
        raise FundsError("本案已登记追回，请在原追回记录中继续办理。")
    day = _day(on, "决定追回日期", not_before=case.decided_on or case.raised_on, not_before_what="救助决定日期")
    recovery = Recovery.objects.create(case=case, budget=_recovery_budget(case), ground=ground, facts=facts.strip(),
                                       amount_due=amount_due, decided_on=day, document_number=document_number.strip(),
                                       created_by=acting_user, created_at=clock.now())
    _event(case, "recovery_opened", acting_user=acting_user,
           note=f"决定追回救助金{amount_due:,.2f}元（{recovery.get_ground_display()}）", amount=amount_due)
    return recovery



def _locked_recovery(recovery: Recovery) -> Recovery:
    return Recovery.objects.select_for_update().select_related("case__handling_org", "budget__org").get(pk=recovery.pk)



def _recovery_status(r: Recovery) -> str:
    if r.transferred == r.amount_due:
        return Recovery.Status.CLOSED
    if r.recovered == r.amount_due:
        return Recovery.Status.RECOVERED
    return Recovery.Status.OPEN



@transaction.atomic(durable=True)
def record_recovery_receipt(recovery: Recovery, *, acting_user: User, amount: Decimal, on: dt.date | None = None,
                            document_number: str = "", note: str = "") -> Recovery:
    """Record money paid back: the recovery's total, a ledger row of kind recovery and Budget.recovered."""
    r = _locked_recovery(recovery)
    _require(acting_user, r.budget.org, Capability.FINANCE, what="登记追回款")
    amount = _amount(amount, "收回金额")
    if amount > r.outstanding:
        raise FundsError(f"收回金额不能超过尚未追回的{r.outstanding:,.2f}元。")
    day = _day(on, "收回日期")
    if day < r.decided_on:
        raise FundsError("收回日期不能早于决定追回日期。")
    Recovery.objects.filter(pk=r.pk).update(recovered=F("recovered") + amount)
    r.refresh_from_db()
    budget = Budget.objects.select_for_update().get(pk=r.budget_id)
    entry = _move(budget, K.RECOVERY, amount, acting_user=acting_user, on=day, case=r.case,
                  document_number=document_number.strip(), note=note or f"案件{r.case.number}追回救助金")
    RecoveryEntry.objects.create(recovery=r, kind=RecoveryEntry.Kind.RECEIPT, amount=amount, happened_on=day,
                                 document_number=document_number.strip()[:60], note=note.strip()[:500],
                                 ledger_entry=entry, actor=acting_user, created_at=clock.now())
    Recovery.objects.filter(pk=r.pk).update(status=_recovery_status(r))
    r.refresh_from_db()
    _event(r.case, "recovery_receipt", acting_user=acting_user,
           note=f"收回救助金{amount:,.2f}元，累计{r.recovered:,.2f}元/应追回{r.amount_due:,.2f}元")
    return r



@transaction.atomic(durable=True)
def transfer_to_treasury(recovery: Recovery, *, acting_user: User, amount: Decimal, on: dt.date | None = None,
                         document_number: str = "") -> Recovery:
    """Record that recovered money was paid over to the treasury (上缴国库), with the voucher number."""
    r = _locked_recovery(recovery)
    _require(acting_user, r.budget.org, Capability.FINANCE, what="登记上缴国库")
    amount = _amount(amount, "上缴金额")
    if amount > r.recovered - r.transferred:
        raise FundsError(f"上缴金额不能超过已追回未上缴的{r.recovered - r.transferred:,.2f}元。")
    if not document_number.strip():
        raise FundsError("请填写缴款书号码。")
    day = _day(on, "上缴日期", not_before=r.decided_on, not_before_what="决定追回日期")
    Recovery.objects.filter(pk=r.pk).update(transferred=F("transferred") + amount)
    r.refresh_from_db()
    RecoveryEntry.objects.create(recovery=r, kind=RecoveryEntry.Kind.TRANSFER, amount=amount, happened_on=day,
                                 document_number=document_number.strip()[:60], actor=acting_user,
                                 created_at=clock.now())
    Recovery.objects.filter(pk=r.pk).update(status=_recovery_status(r))
    r.refresh_from_db()
    _event(r.case, "recovery_transfer", acting_user=acting_user, note=f"追回款{amount:,.2f}元上缴国库（{document_number.strip()}）")
    return r



@transaction.atomic(durable=True)
def add_liability_note(recovery: Recovery, *, acting_user: User, note: str, on: dt.date | None = None) -> Recovery:
    """Record how the responsible persons are pursued (责任追究: referral for fraud, discipline …)."""
    r = _locked_recovery(recovery)
    _require(acting_user, r.case.handling_org, Capability.HANDLE_CASES, Capability.APPROVE, what="登记责任追究")
    if not note.strip():
        raise FundsError("请填写责任追究情况。")
    day = _day(on, "日期")
    RecoveryEntry.objects.create(recovery=r, kind=RecoveryEntry.Kind.LIABILITY, happened_on=day,
                                 note=note.strip()[:500], actor=acting_user, created_at=clock.now())
    text = (r.liability + "\n" if r.liability else "") + f"{day:%Y-%m-%d} {note.strip()}"
    Recovery.objects.filter(pk=r.pk).update(liability=text)
    r.liability = text
    _event(r.case, "recovery_liability", acting_user=acting_user, note="登记责任追究情况")
    return r
