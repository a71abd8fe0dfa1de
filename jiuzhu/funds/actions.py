"""Every write to aid funds goes through these functions (style.md bullets 9, 10–17, 26).

Each public action is durable-atomic, checks the acting user's authority itself, locks the rows it
changes (`select_for_update`) and writes the Budget running totals and the LedgerEntry rows in the
same transaction. The money invariants are database constraints (models.py); an IntegrityError from
them becomes a Chinese FundsError and the whole action is rolled back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.funds.models import (
    Budget,
    Contribution,
    LedgerEntry,
    Payment,
    Recovery,
    RecoveryEntry,
    StatementImport,
    StatementLine,
)
from jiuzhu.lib import clock, dates
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_setting
from jiuzhu.people.idcard import mask_tail

K = LedgerEntry.Kind
S = Payment.Status
ACCOUNT_RE = re.compile(r"^[0-9]{8,30}$")


class FundsError(ValidationError):
    """A funds rule refused the action; the message is shown to the user as it is."""


class FundsPermissionError(PermissionDenied):
    """The acting user may not move this money."""


@dataclass
class CommitResult:
    """What `commit_for_decision` did: the contribution lines and any over-budget warnings."""

    contributions: list[Contribution]
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Helpers


def _require(user: User, org: Organisation, *capabilities: str, what: str) -> None:
    if not any(has_capability(user, cap, org) for cap in capabilities):
        raise FundsPermissionError(f"您无权{what}（{org.name}）。")


def _amount(value: Any, what: str = "金额") -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise FundsError(f"{what}格式不正确。") from None
    if not amount.is_finite() or amount <= 0:
        raise FundsError(f"{what}必须大于零。")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise FundsError(f"{what}最多保留两位小数。")
    if amount >= Decimal("1e10"):
        raise FundsError(f"{what}过大。")
    return amount


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


# ---------------------------------------------------------------------------------------------
# Budget


@transaction.atomic(durable=True)
def set_budget(org: Organisation, year: int, *, acting_user: User, amount: Decimal, document_number: str = "",
               note: str = "") -> Budget:
    """Record the year's aid budget line (年初预算); once per year, later changes are supplements."""
    _require(acting_user, org, Capability.FINANCE, what="登记救助资金预算")
    amount = _amount(amount, "年初预算")
    budget = _locked_budget(org, year)
    if budget.appropriated > 0:
        raise FundsError(f"{year}年度年初预算已登记为{budget.appropriated:,.2f}元；调整请登记追加预算。")
    _move(budget, K.APPROPRIATION, amount, acting_user=acting_user, on=clock.today(),
          document_number=document_number, note=note)
    return budget


@transaction.atomic(durable=True)
def add_supplement(org: Organisation, year: int, *, acting_user: User, amount: Decimal, document_number: str = "",
                   on: dt.date | None = None, note: str = "") -> Budget:
    """Record a supplement to the year's aid budget (追加), e.g. granted on a 财政追加申请."""
    _require(acting_user, org, Capability.FINANCE, what="登记追加预算")
    amount = _amount(amount, "追加金额")
    budget = _locked_budget(org, year)
    _move(budget, K.SUPPLEMENT, amount, acting_user=acting_user, on=_day(on), document_number=document_number,
          note=note)
    return budget


@transaction.atomic(durable=True)
def record_allocation(org: Organisation, year: int, *, acting_user: User, amount: Decimal, document_number: str,
                      on: dt.date | None = None, note: str = "") -> Budget:
    """Record money allocated by the finance bureau (财政核拨), with its document number and date."""
    _require(acting_user, org, Capability.FINANCE, what="登记财政核拨")
    amount = _amount(amount, "核拨金额")
    if not document_number.strip():
        raise FundsError("请填写财政核拨文号。")
    budget = _locked_budget(org, year)
    _move(budget, K.ALLOCATION, amount, acting_user=acting_user, on=_day(on, "核拨日期"),
          document_number=document_number.strip(), note=note)
    return budget


# ---------------------------------------------------------------------------------------------
# Decisions and joint aid


def _release_for_replan(case: AidCase, *, acting_user: User) -> None:
    """Undo the commitments of CASE (RELEASE ledger rows) so a new arrangement can replace them.

    The decision commits the handling procuratorate's budget by default; joint aid agreed with other
    procuratorates replaces that, but only before any payment was planned.
    """
    old = list(Contribution.objects.filter(case=case).select_related("budget", "org").order_by("org_id"))
    if not old:
        return
    if Payment.objects.filter(case=case, is_advance=False).exclude(status=S.CANCELLED).exists():
        raise FundsError("本案已制定发放计划，不能再变更出资和资金承诺。")
    advance = advance_committed(case)
    for c in old:
        budget = _locked_budget(c.org, c.budget.fiscal_year)
        share = c.amount - advance if c.org_id == case.handling_org_id else c.amount
        if share > 0:
            _move(budget, K.RELEASE, share, acting_user=acting_user, on=clock.today(), case=case,
                  note=f"案件{case.number}变更出资安排")
    Contribution.objects.filter(pk__in=[c.pk for c in old]).delete()


@transaction.atomic(durable=True)
def commit_for_decision(case: AidCase, *, acting_user: User,
                        contributions: list[tuple[Organisation, Decimal]] | None = None,
                        decision_numbers: dict[int, str] | None = None) -> CommitResult:
    """Record who pays a granted case and commit the budgets (see `commit_contributions`)."""
    return commit_contributions(case, acting_user=acting_user, contributions=contributions,
                                decision_numbers=decision_numbers)


@transaction.atomic(savepoint=False)
def commit_contributions(case: AidCase, *, acting_user: User,
                         contributions: list[tuple[Organisation, Decimal]] | None = None,
                         decision_numbers: dict[int, str] | None = None) -> CommitResult:
    """Record who pays a granted case and commit each contributor's budget of the decision's year.

    CONTRIBUTIONS: (procuratorate, amount) pairs for joint aid; they must add up to the decided
    amount. None: the handling procuratorate pays it all. Beyond a contributor's uncommitted budget the
    setting `funds.over_budget` decides: "block" refuses, "warn" records a warning in the result.
    Advance aid already committed when it was approved is part of the handling procuratorate's share
    and is not committed again: its line commits only the share less the advance.
    The composable form, for `cases.actions.decide_grant` to call inside its own transaction.
    """
    case = AidCase.objects.select_for_update().select_related("handling_org").get(pk=case.pk)
    _require(acting_user, case.handling_org, Capability.HANDLE_CASES, Capability.APPROVE, Capability.FINANCE,
             what="登记救助资金承诺")
    if case.decision != AidCase.Decision.GRANT or not case.decided_amount or not case.decided_on:
        raise FundsError("案件尚未决定救助，不能登记资金承诺。")
    lines = contributions or [(case.handling_org, case.decided_amount)]
    _release_for_replan(case, acting_user=acting_user)
    orgs = [org.pk for org, _ in lines]
    if len(set(orgs)) != len(orgs):
        raise FundsError("同一检察院只能有一条出资。")
    lines = [(org, _amount(amount, f"{org.name}出资金额")) for org, amount in lines]
    total = sum((a for _, a in lines), Decimal(0))
    if total != case.decided_amount:
        raise FundsError(f"各院出资合计{total:,.2f}元，与决定救助金额{case.decided_amount:,.2f}元不一致。")
    advance = advance_committed(case)
    own = next((a for org, a in lines if org.pk == case.handling_org_id), Decimal(0))
    if advance and own < advance:
        raise FundsError(f"{case.handling_org.name}已先行救助{advance:,.2f}元，本院出资不能少于先行救助金额。")
    result = CommitResult(contributions=[])
    year = case.decided_on.year
    # Lock the budgets in one order (by organisation) so two decisions at once cannot deadlock.
    budgets = {org.pk: _locked_budget(org, year) for org, _ in sorted(lines, key=lambda line: line[0].pk)}
    for org, amount in lines:
        budget = budgets[org.pk]
        # The handling procuratorate's advance is already committed (on the approval year's budget).
        share = amount - advance if org.pk == case.handling_org_id else amount
        _check_room(budget, share, result, what="本案")
        number = (decision_numbers or {}).get(org.pk, "")
        result.contributions.append(Contribution.objects.create(case=case, org=org, budget=budget, amount=amount,
                                                                decision_number=number))
        if share > 0:
            _move(budget, K.COMMITMENT, share, acting_user=acting_user, on=case.decided_on, case=case,
                  document_number=number, note=f"案件{case.number}决定救助"
                  + (f"（已先行救助{advance:,.2f}元）" if advance and share != amount else ""))
    _event(case, "funds_commit", acting_user=acting_user,
           note="；".join(f"{c.org.name}出资{c.amount:,.2f}元" for c in result.contributions),
           warnings="；".join(result.warnings))
    return result


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


# ---------------------------------------------------------------------------------------------
# Advance aid (先行救助, domain.md §6 step 1a, §4.2)


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


# ---------------------------------------------------------------------------------------------
# Funds arrival (资金到位)


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
    """Record that the money for CASE is at hand (资金到位) and start the payment-notice deadline.

    Every contributing procuratorate's allocated money not yet paid out (财政核拨 less payments) must
    cover its unpaid share of the case; otherwise finance must first record the allocation. The case
    moves 已送达 → 待发放 and the 2-working-day notice clock (domain.md §6 step 12) starts.
    """
    from jiuzhu.cases.actions import funds_arrived

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
    case = funds_arrived(case, acting_user=acting_user, on=on, note=note or "资金到位，应在2个工作日内通知申请人领取。")
    if case.decided_amount and case.paid_amount >= case.decided_amount:  # all paid already, as advance aid
        from jiuzhu.cases.actions import payment_made

        payment_made(case, acting_user=acting_user, on=case.funds_arrived_on or clock.today(), instalments=1)
    return case


# ---------------------------------------------------------------------------------------------
# Payments


def _check_account(account: str) -> str:
    account = re.sub(r"[\s-]", "", account or "")
    if not ACCOUNT_RE.match(account):
        raise FundsError("银行账号应为8至30位数字。")
    return account


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
    from jiuzhu.cases.actions import payment_made

    payment_made(p.case, acting_user=acting_user, on=paid_on,
                 # Joint aid paid by each contributor on the same day is still one sum: count the dates.
                 instalments=Payment.objects.filter(case=p.case, is_advance=False).exclude(status=S.CANCELLED)
                 .values("due_on").distinct().count(),
                 custody=p.payee_kind == Payment.PayeeKind.CUSTODIAN)
    if p.payee_kind == Payment.PayeeKind.CUSTODIAN:
        from jiuzhu.custody.actions import payment_to_custodian_paid

        payment_to_custodian_paid(p, acting_user=acting_user)  # the custody sub-ledger's deposit
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


# ---------------------------------------------------------------------------------------------
# The bank: payment order lists and statements

ORDER_HEADERS = ["序号", "付款编号", "案件编号", "收款人", "开户银行", "账号", "金额(元)", "计划发放日期", "用途"]


@transaction.atomic(durable=True)
def payment_order_workbook(org: Organisation, *, acting_user: User, payments: list[Payment]) -> bytes:
    """Return the payment order list for the bank (.xlsx) and mark the payments ordered.

    The full account number appears only in this file, because the bank needs it; the export is audited.
    """
    from openpyxl import Workbook

    from jiuzhu.lib import xlsx

    _require(acting_user, org, Capability.FINANCE, what="制作付款清单")
    ids = [p.pk for p in payments]
    rows = list(Payment.objects.select_for_update().filter(pk__in=ids).select_related("case", "budget")
                .order_by("due_on", "pk"))
    if not rows:
        raise FundsError("没有可制单的付款。")
    for p in rows:
        if p.budget.org_id != org.pk:
            raise FundsError(f"付款{p.reference}不由{org.name}支付。")
        if p.status not in (S.SCHEDULED, S.ORDERED):
            raise FundsError(f"付款{p.reference}状态为“{p.get_status_display()}”，不能列入付款清单。")
    wb = Workbook()
    ws = wb.active
    ws.title = "付款清单"
    xlsx.append(ws, ORDER_HEADERS)
    for i, p in enumerate(rows, 1):
        xlsx.append(ws, [i, p.reference, p.case.number, p.payee_name, p.bank_name, p.account, float(p.amount), p.due_on,
                   "国家司法救助金"])
        ws.cell(row=i + 1, column=6).number_format = "@"  # an account number is text, not a number
    xlsx.append(ws, ["合计", "", "", "", "", "", float(sum((p.amount for p in rows), Decimal(0))), "", ""])
    Payment.objects.filter(pk__in=[p.pk for p in rows], status=S.SCHEDULED).update(status=S.ORDERED,
                                                                                   ordered_on=clock.today())
    audit(AuditEntry.Kind.EXPORT, acting_user=acting_user, field="bank_account", reason="制作银行付款清单",
          org=org.code, references=[p.reference for p in rows])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Accepted statement headers (first row; trimmed; the first name of each is the canonical one).
STATEMENT_HEADERS: dict[str, tuple[str, ...]] = {
    "bank_reference": ("交易流水号", "流水号", "银行流水号"),
    "amount": ("金额", "交易金额", "金额(元)"),
    "value_date": ("日期", "交易日期", "记账日期"),
    "account": ("收款账号", "对方账号"),
    "payee_name": ("收款人", "对方户名", "收款人名称"),
}


@dataclass
class _Line:
    row: int
    bank_reference: str
    amount: Decimal
    value_date: dt.date
    account_tail: str
    payee_name: str


def _read_rows(name: str, data: bytes) -> list[list[Any]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's bad file
            raise FundsError("无法读取该 Excel 文件，请上传银行导出的 .xlsx 或 .csv 对账单。") from None
        return [list(r) for r in ws.iter_rows(values_only=True)]
    if name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [list(r) for r in csv.reader(io.StringIO(text))]
        raise FundsError("无法识别 CSV 文件的编码（应为 UTF-8 或 GB18030）。")
    raise FundsError("只能导入 .csv 或 .xlsx 格式的银行对账单。")


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text[:10] if "-" in text or "/" in text else text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError


def parse_statement(name: str, data: bytes) -> list[_Line]:
    """Return the lines of a bank statement; FundsError lists every bad row (nothing is written)."""
    rows = [r for r in _read_rows(name, data) if any(c not in (None, "") for c in r)]
    if not rows:
        raise FundsError("对账单为空。")
    header = [str(c or "").strip() for c in rows[0]]
    cols: dict[str, int] = {}
    for key, names in STATEMENT_HEADERS.items():
        found = next((header.index(n) for n in names if n in header), None)
        if found is not None:
            cols[key] = found
    missing = [STATEMENT_HEADERS[k][0] for k in ("amount", "value_date") if k not in cols]
    if missing or ("bank_reference" not in cols and "account" not in cols):
        need = "、".join(missing or ["交易流水号或收款账号"])
        raise FundsError(f"对账单缺少列：{need}。表头应包含 交易流水号、金额、日期、收款账号、收款人。")
    lines, errors = [], []

    def cell(r: list[Any], key: str) -> Any:
        i = cols.get(key)
        return r[i] if i is not None and i < len(r) else None

    for n, r in enumerate(rows[1:], 2):
        try:
            amount = _amount(cell(r, "amount"))
        except FundsError as e:
            errors.append(f"第{n}行 金额：{e.messages[0]}")
            continue
        try:
            day = _parse_date(cell(r, "value_date"))
        except ValueError:
            errors.append(f"第{n}行 日期：应为 YYYY-MM-DD 格式的日期")
            continue
        account = re.sub(r"\D", "", str(cell(r, "account") or ""))
        lines.append(_Line(n, str(cell(r, "bank_reference") or "").strip()[:60], amount, day, account[-4:],
                           str(cell(r, "payee_name") or "").strip()[:100]))
    if errors:
        raise FundsError(errors)
    return lines


def _match(line: _Line, org: Organisation, taken: set[int], window: int) -> tuple[Payment | None, str]:
    base = Payment.objects.filter(budget__org=org).exclude(pk__in=taken).exclude(
        statement_lines__status=StatementLine.Status.MATCHED)
    if line.bank_reference:
        p = base.filter(bank_reference=line.bank_reference).first()
        if p is not None:
            return p, "按银行流水号匹配"
    if line.account_tail:
        lo, hi = line.value_date - dt.timedelta(days=window), line.value_date + dt.timedelta(days=window)
        candidates = [p for p in base.filter(amount=line.amount, status__in=[S.ORDERED, S.PAID])
                      if p.account_masked.endswith(line.account_tail)
                      and lo <= (p.paid_on or p.ordered_on or p.due_on) <= hi]
        if len(candidates) == 1:
            return candidates[0], "按金额、账号后四位和日期匹配"
        if len(candidates) > 1:
            return None, f"有{len(candidates)}笔付款金额、账号和日期相同，请人工核对"
    return None, "未找到对应付款"


@transaction.atomic(durable=True)
def import_statement(org: Organisation, file: IO[bytes], *, acting_user: User, name: str = "") -> StatementImport:
    """Import a bank statement (CSV or .xlsx) and match its lines against ORG's payments.

    Headers (first row): 交易流水号 (or 流水号/银行流水号), 金额 (交易金额), 日期 (交易日期/记账日期),
    收款账号 (对方账号), 收款人 (对方户名). A line matches a payment by bank reference, else by amount,
    the account's last four digits and a date within `funds.statement_match_days`; a matched
    payment still on an order list is marked paid with the line's reference. A bad file writes nothing.
    """
    _require(acting_user, org, Capability.FINANCE, what="导入银行对账单")
    name = name or getattr(file, "name", "") or "statement"
    data = file.read()
    lines = parse_statement(name, data)
    statement = StatementImport.objects.create(org=org, file_name=name[:200], sha256=hashlib.sha256(data).hexdigest(),
                                               imported_by=acting_user, imported_at=clock.now())
    window = get_setting(org, "funds.statement_match_days")
    taken: set[int] = set()
    for line in lines:
        payment, note = _match(line, org, taken, window)
        if payment is not None and payment.status == S.ORDERED:
            if not line.bank_reference:
                payment, note = None, "对账单无流水号，无法登记支付"
            else:
                try:
                    with transaction.atomic():
                        payment = _pay(payment, acting_user=acting_user, bank_reference=line.bank_reference,
                                       paid_on=min(line.value_date, clock.today()))
                    note += "，已登记支付"
                except FundsError as e:
                    payment, note = None, e.messages[0][:200]
        if payment is not None:
            taken.add(payment.pk)
        StatementLine.objects.create(
            statement=statement, row_number=line.row, bank_reference=line.bank_reference, amount=line.amount,
            value_date=line.value_date, account_tail=line.account_tail, payee_name=line.payee_name,
            matched_payment=payment, match_note=note[:200],
            status=StatementLine.Status.MATCHED if payment else StatementLine.Status.UNMATCHED)
    return statement


@transaction.atomic(durable=True)
def resolve_line(line: StatementLine, *, acting_user: User, note: str) -> StatementLine:
    """Record how a person explained an unmatched statement line."""
    line = StatementLine.objects.select_for_update().select_related("statement__org").get(pk=line.pk)
    _require(acting_user, line.statement.org, Capability.FINANCE, what="处理对账差异")
    if line.status != StatementLine.Status.UNMATCHED:
        raise FundsError("该流水不是未匹配状态。")
    if not note.strip():
        raise FundsError("请填写处理说明。")
    StatementLine.objects.filter(pk=line.pk).update(status=StatementLine.Status.RESOLVED,
                                                    resolution_note=note.strip()[:200])
    line.status, line.resolution_note = StatementLine.Status.RESOLVED, note.strip()[:200]
    return line


# ---------------------------------------------------------------------------------------------
# Recovery (追回救助金, domain.md §4.2–4.3)


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
