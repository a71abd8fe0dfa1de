"""What every funds action shares: the errors, the authority check, amounts and dates, the locked budget and
the one ledger movement (`_move`), the case timeline row, the paid total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import User
from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.funds.models import (
    Budget,
    Contribution,
    LedgerEntry,
    Payment,
)
from jiuzhu.lib import clock, dates
from jiuzhu.lib.money import clean_account, clean_amount
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_setting

K = LedgerEntry.Kind
S = Payment.Status


class FundsError(ValidationError):
    """A funds rule refused the action; the message is shown to the user as it is."""



class FundsPermissionError(PermissionDenied):
    """The acting user may not move this money."""



@dataclass
class CommitResult:
    """What `commit_for_decision` did: the contribution lines and any over-budget warnings."""

    contributions: list[Contribution]
    warnings: list[str] = field(default_factory=list)



def _require(user: User, org: Organisation, *capabilities: str, what: str) -> None:
    if not any(has_capability(user, cap, org) for cap in capabilities):
        raise FundsPermissionError(f"您无权{what}（{org.name}）。")



def _amount(value: Any, what: str = "金额") -> Decimal:
    return clean_amount(value, what, error=FundsError)



def _day(on: dt.date | None, what: str = "日期", **rules: Any) -> dt.date:
    """Today when not given; the one date policy (lib/dates.py) with its order RULES."""
    return dates.check(on, what=what, error=FundsError, **rules)



@transaction.atomic(savepoint=False)
def _locked_budget(org: Organisation, year: int) -> Budget:
    """Return the budget of ORG for YEAR under a row lock, creating an empty one if needed."""
    if org.kind != Organisation.Kind.PROCURATORATE:
        raise FundsError(f"{org.name}不是检察院，不能列支救助资金。")
    if not dates.budget_year_allowed(year):
        raise FundsError(f"预算年度应在{dates.earliest().year}年至{clock.today().year + 1}年之间。")
    Budget.objects.get_or_create(org=org, fiscal_year=year)
    return Budget.objects.select_for_update().select_related("org").get(org=org, fiscal_year=year)



@transaction.atomic(savepoint=False)
def _move(budget: Budget, kind: str, amount: Decimal, *, acting_user: User, on: dt.date, case: AidCase | None = None,
          payment: Payment | None = None, document_number: str = "", note: str = "") -> LedgerEntry:
    """Add AMOUNT to the running total of KIND on BUDGET (locked by the caller) and write its ledger row.

    The total is changed with an UPDATE … SET x = x + amount inside a savepoint, so a constraint
    violation is turned into a Chinese message and nothing of the action stays written.
    """
    total = "committed" if kind in (K.COMMITMENT, K.RELEASE) else LedgerEntry.TOTAL_OF[kind]
    delta = -amount if kind == K.RELEASE else amount
    try:
        with transaction.atomic():
            Budget.objects.filter(pk=budget.pk).update(**{total: F(total) + delta}, updated_at=clock.now())
    except IntegrityError as e:
        raise FundsError(_constraint_message(str(e), budget)) from None
    budget.refresh_from_db()
    return LedgerEntry.objects.create(budget=budget, kind=kind, amount=amount, case=case, payment=payment,
                                      document_number=document_number, happened_on=on, actor=acting_user,
                                      created_at=clock.now(), note=note[:200])



def _constraint_message(error: str, budget: Budget) -> str:
    if "paid_within_allocated" in error:
        return (f"财政核拨资金不足：{budget.fiscal_year}年度已核拨{budget.allocated:,.2f}元，可支付余额"
                f"{budget.available_cash:,.2f}元。请先登记财政核拨。")
    if "allocated_within_budget" in error:
        return (f"财政核拨金额不能超过年初预算与追加预算之和（{budget.budgeted:,.2f}元）；"
                "请先登记财政追加。")
    return "资金数额不符合规则（" + error[:80] + "）。"



def _event(case: AidCase, action: str, *, acting_user: User, note: str, **data: Any) -> None:
    # The one cross-app write the funds app makes: the case's timeline records money movements.
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RECORD, action=action, actor=acting_user,
                             at=clock.now(), note=note, data={k: str(v) for k, v in data.items()})



def advance_committed(case: AidCase) -> Decimal:
    """Return the advance aid (先行救助) committed on CASE when it was approved, 0 if none was.

    The advance is committed on the handling procuratorate's budget of the approval year and paid as
    instalment 0 (`commit_advance`); the decision's commitment and payment plan cover the rest.
    """
    if case.advance_amount and Payment.objects.filter(case=case, is_advance=True).exists():
        return case.advance_amount
    return Decimal(0)



def _paid_sum(payments: Any) -> Decimal:
    total = payments.filter(status=S.PAID).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return Decimal(total).quantize(Decimal("0.01"))  # SQLite sums decimals as floats



def _refresh_case_paid(case_id: int) -> Decimal:
    """Set the case's paid_amount to what was paid and not returned (the advance included); return it."""
    total = _paid_sum(Payment.objects.filter(case_id=case_id))
    AidCase.objects.filter(pk=case_id).update(paid_amount=total, updated_at=clock.now())
    return total



def _check_room(budget: Budget, amount: Decimal, result: CommitResult, *, what: str) -> None:
    """Refuse (setting funds.over_budget = block) or warn when AMOUNT exceeds BUDGET's uncommitted part."""
    left = max(budget.uncommitted, Decimal(0))
    if amount > left:
        org = budget.org
        message = (f"{org.name}{budget.fiscal_year}年度救助资金未承诺预算{left:,.2f}元，{what}需{amount:,.2f}元，"
                   f"缺口{amount - left:,.2f}元。请向财政部门提出财政追加申请。")
        if get_setting(org, "funds.over_budget") == "block":
            raise FundsError(message)
        result.warnings.append(message)



def _check_account(account: str) -> str:
    return clean_account(account, error=FundsError)
