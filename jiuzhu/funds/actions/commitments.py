"""A decision's money: who pays (joint aid contributions) and the budgets it commits."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.events import GrantDecided
from jiuzhu.cases.models import AidCase
from jiuzhu.funds.actions.common import (
    CommitResult,
    FundsError,
    K,
    S,
    _amount,
    _check_room,
    _event,
    _locked_budget,
    _move,
    _require,
    advance_committed,
)
from jiuzhu.funds.models import (
    Contribution,
    Payment,
)
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation


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
                                                                decision_number=number,
                                                                is_lead=org.pk == case.handling_org_id))
        if share > 0:
            _move(budget, K.COMMITMENT, share, acting_user=acting_user, on=case.decided_on, case=case,
                  document_number=number, note=f"案件{case.number}决定救助"
                  + (f"（已先行救助{advance:,.2f}元）" if advance and share != amount else ""))
    _event(case, "funds_commit", acting_user=acting_user,
           note="；".join(f"{c.org.name}出资{c.amount:,.2f}元" for c in result.contributions),
           warnings="；".join(result.warnings))
    return result



def on_grant_decided(event: GrantDecided) -> None:
    """Subscriber: a grant commits the contributors' budgets, in the decision's transaction."""
    commit_contributions(event.case, acting_user=event.acting_user, contributions=event.contributions)
