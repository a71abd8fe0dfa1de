"""Advance aid (先行救助) through the funds ledger: the approval commits the handling procuratorate's
budget and plans instalment 0, finance pays it, the decision accounts for it (domain.md §6 step 1a, §4.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.models import AidCase, CaseEvent, Status
from jiuzhu.demo.loader import GROUNDS_NONE, approve_route
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, Contribution, LedgerEntry, Payment, Recovery
from jiuzhu.funds.tests.helpers import fund
from jiuzhu.lib import clock
from jiuzhu.orgs.models import OrgSetting
from jiuzhu.testing import race

K = LedgerEntry.Kind
ACCOUNT: dict[str, Any] = {"bank_name": "中国农业银行加查县支行", "account": "6228480000000000009"}


def advanced(world: Any, amount: str = "6000", *, pay: bool = False) -> AidCase:
    """A new case of 540528 whose advance aid of AMOUNT was approved (and paid by finance if PAY)."""
    case = world.clue()
    case_actions.request_advance(case, acting_user=world.user("540528", "kongshen"), amount=Decimal(amount),
                                 urgency="被害人伤情危重，急需手术费用。")
    case_actions.approve_advance(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal(amount),
                                 **ACCOUNT)
    if pay:
        actions.pay(Payment.objects.get(case=case, is_advance=True), acting_user=world.user("540528", "finance"),
                    bank_reference=f"B-ADV-{case.pk}")
    case.refresh_from_db()
    return case


def to_decision(world: Any, case: AidCase, *, grant: str = "", refuse: str = "") -> AidCase:
    h = world.user("540528", "kongshen")
    case_actions.complete_formalities(case, acting_user=h, form="oral")
    case_actions.submit_opinion(case, acting_user=h, category="E2", grounds=GROUNDS_NONE,
                                recommendation="grant" if grant else "refuse", reasoning="经审查。",
                                proposed_amount=Decimal(grant) if grant else None)
    approve_route(world.demo, case, amount=Decimal(grant) if grant else None, refuse=refuse)
    case.refresh_from_db()
    return case


def committed_for(case: AidCase) -> Decimal:
    total = Decimal(0)
    for kind, amount in LedgerEntry.objects.filter(case=case, kind__in=[K.COMMITMENT, K.RELEASE]).values_list(
            "kind", "amount"):
        total += amount if kind == K.COMMITMENT else -amount
    return total


def test_it_commits_the_advance_on_approval_and_finance_pays_it(world) -> None:
    budget = fund(world, budget="100000", allocated="20000")
    case = advanced(world, "6000")
    p = Payment.objects.get(case=case)
    assert (p.is_advance, p.instalment_no, p.instalment_label, p.amount, p.status, p.due_on) == (
        True, 0, "先行救助", Decimal(6000), "scheduled", clock.today())
    assert p.payee_name == case.applicant.name and p.account_masked.endswith("0009")  # type: ignore[union-attr]
    budget.refresh_from_db()
    assert (budget.committed, budget.paid, case.paid_amount) == (Decimal(6000), 0, 0)
    row = LedgerEntry.objects.get(case=case)
    assert (row.kind, row.amount, row.actor) == (K.COMMITMENT, Decimal(6000), world.user("540528", "deputy_chief"))
    assert CaseEvent.objects.filter(case=case, action="funds_advance").exists()
    # The unpaid advance is on the worklist's 待发放救助金 tab, for finance and the handler alike.
    from jiuzhu.cases.queries import worklist

    assert case in worklist(world.user("540528", "finance"), view="payments_due")
    # The deputy chief approves but does not pay: the bank's payment is finance's.
    with pytest.raises(actions.FundsPermissionError):
        actions.pay(p, acting_user=world.user("540528", "deputy_chief"), bank_reference="B-1")
    actions.pay(p, acting_user=world.user("540528", "finance"), bank_reference="B-1")
    case.refresh_from_db()
    budget.refresh_from_db()
    assert (budget.paid, case.paid_amount, case.status) == (Decimal(6000), Decimal(6000), Status.ADVANCE_GRANTED)


def test_a_grant_commits_and_pays_only_the_rest(world) -> None:
    budget = fund(world, budget="100000", allocated="20000")
    case = to_decision(world, advanced(world, "6000", pay=True), grant="15000")
    budget.refresh_from_db()
    assert budget.committed == Decimal(15000) == committed_for(case)  # no double commitment
    assert Contribution.objects.get(case=case).amount == Decimal(15000)
    h = world.user("540528", "kongshen")
    with pytest.raises(actions.FundsError, match="应发放金额9,000.00元"):
        actions.schedule_payments(case, acting_user=h, plan=[(Decimal(15000), clock.today())], payee_kind="applicant",
                                  payee_name="本人", **ACCOUNT)
    case_actions.serve_decision(case, acting_user=h, method="direct", recipient="本人")
    case_actions.record_funds(case, acting_user=h)
    world.pay_in_full(case)
    budget.refresh_from_db()
    assert (case.status, case.paid_amount, budget.paid) == (Status.PAID, Decimal(15000), Decimal(15000))
    assert list(case.payments.order_by("instalment_no").values_list("instalment_no", "amount")) == [
        (0, Decimal(6000)), (1, Decimal(9000))]


def test_an_unpaid_advance_still_needs_cash_when_the_funds_arrive(world) -> None:
    fund(world, budget="100000", allocated="10000")
    case = to_decision(world, advanced(world, "6000"), grant="12000")  # the advance is not paid yet
    h = world.user("540528", "kongshen")
    case_actions.serve_decision(case, acting_user=h, method="direct", recipient="本人")
    with pytest.raises(actions.FundsError, match="不足本案待发放的12,000.00元"):
        case_actions.record_funds(case, acting_user=h)
    assert AidCase.objects.get(pk=case.pk).status == Status.SERVED


def test_a_refusal_releases_the_unpaid_advance_and_opens_no_recovery(world) -> None:
    budget = fund(world, budget="100000", allocated="20000")
    case = to_decision(world, advanced(world, "6000"), refuse="经审查不符合救助条件。")
    budget.refresh_from_db()
    assert budget.committed == 0 == committed_for(case)
    assert Payment.objects.get(case=case).status == "cancelled"
    assert LedgerEntry.objects.get(case=case, kind=K.RELEASE).amount == Decimal(6000)
    assert not Recovery.objects.filter(case=case).exists()
    with pytest.raises(actions.FundsError, match="不能登记支付"):
        actions.pay(Payment.objects.get(case=case), acting_user=world.user("540528", "finance"), bank_reference="B")


def test_a_refusal_after_payment_leaves_the_advance_to_recover(world) -> None:
    budget = fund(world, budget="100000", allocated="20000")
    case = to_decision(world, advanced(world, "6000", pay=True), refuse="经审查已获足额赔偿。")
    budget.refresh_from_db()
    assert budget.committed == Decimal(6000) and budget.paid == Decimal(6000)  # spent money stays committed
    r = Recovery.objects.get(case=case)
    assert (r.ground, r.amount_due, r.budget_id) == ("advance_refused", Decimal(6000), budget.pk)
    actions.record_recovery_receipt(r, acting_user=world.user("540528", "finance"), amount=Decimal(6000))
    budget.refresh_from_db()
    assert budget.recovered == Decimal(6000)


def test_a_province_that_does_not_recover_refused_advances_opens_no_recovery(world) -> None:
    OrgSetting.objects.create(org=world.orgs["540000"], key="funds.recover_refused_advance", value=False)
    budget = fund(world, budget="100000", allocated="20000")
    case = to_decision(world, advanced(world, "6000", pay=True), refuse="经审查已获足额赔偿。")
    budget.refresh_from_db()
    assert budget.paid == Decimal(6000)
    assert not Recovery.objects.filter(case=case).exists()
    assert "按本地规定不予追回" in case.events.get(action="funds_advance_refused").note


def test_a_returned_advance_is_not_reissued_after_a_refusal(world) -> None:
    fund(world, budget="100000", allocated="20000")
    case = advanced(world, "6000", pay=True)
    fin = world.user("540528", "finance")
    p = actions.mark_returned(Payment.objects.get(case=case), acting_user=fin, reason="账号有误")
    case = to_decision(world, case, refuse="不符合条件。")
    assert LedgerEntry.objects.get(case=case, kind=K.RELEASE).amount == Decimal(6000)
    assert not Recovery.objects.filter(case=case).exists()  # nothing was kept by the applicant
    with pytest.raises(actions.FundsError, match="不再发放"):
        actions.reissue(p, acting_user=fin, **ACCOUNT)


def test_over_budget_follows_the_setting(world) -> None:
    fund(world, budget="5000", allocated="0")
    warned = advanced(world, "6000")
    assert "缺口1,000.00元" in CaseEvent.objects.get(case=warned, action="funds_advance").data["warnings"]
    OrgSetting.objects.create(org=world.orgs["540500"], key="funds.over_budget", value="block")
    case = world.clue()
    case_actions.request_advance(case, acting_user=world.user("540528", "kongshen"), amount=Decimal(3000),
                                 urgency="危重。")
    with pytest.raises(actions.FundsError, match="未承诺预算0.00元"):
        case_actions.approve_advance(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal(3000),
                                     **ACCOUNT)
    case.refresh_from_db()
    assert case.status == Status.ADVANCE_REQUESTED  # nothing of the approval stayed written
    assert not Payment.objects.filter(case=case).exists() and not LedgerEntry.objects.filter(case=case).exists()


def test_bad_input_is_refused_in_chinese_and_an_advance_is_approved_once(world) -> None:
    case = world.clue()
    h, d = world.user("540528", "kongshen"), world.user("540528", "deputy_chief")
    case_actions.request_advance(case, acting_user=h, amount=Decimal(3000), urgency="危重。")
    with pytest.raises(case_actions.CaseActionError, match="未登记银行账号"):
        case_actions.approve_advance(case, acting_user=d, amount=Decimal(3000))
    with pytest.raises(actions.FundsError, match="申请人本人或其监护人"):
        case_actions.approve_advance(case, acting_user=d, amount=Decimal(3000), payee_kind="custodian",
                                     payee_name="公证处", **ACCOUNT)
    with pytest.raises(actions.FundsError, match="8至30位数字"):
        case_actions.approve_advance(case, acting_user=d, amount=Decimal(3000), bank_name="农行", account="12ab")
    assert AidCase.objects.get(pk=case.pk).status == Status.ADVANCE_REQUESTED
    case_actions.approve_advance(case, acting_user=d, amount=Decimal(3000), payee_kind="guardian",
                                 payee_name="卓玛（母亲）", **ACCOUNT)
    assert Payment.objects.get(case=case).payee_kind == "guardian"
    case_actions.complete_formalities(case, acting_user=h, form="oral")
    with pytest.raises(case_actions.CaseActionError, match="不能再次申请"):
        case_actions.request_advance(case, acting_user=h, amount=Decimal(1000), urgency="再次。")


def test_the_approval_form_plans_the_payment_and_the_case_page_shows_it(world) -> None:
    fund(world, budget="2000", allocated="0")  # 2,000 uncommitted: the approval warns (the default setting)
    case = world.clue()
    case_actions.request_advance(case, acting_user=world.user("540528", "kongshen"), amount=Decimal(4000),
                                 urgency="危重。")
    client = Client()
    client.force_login(world.user("540528", "deputy_chief"))
    url = f"/cases/{case.pk}/approve_advance/"
    bad = client.post(url, {"amount": "4000", "payee_kind": "applicant"})
    assert bad.status_code == 400 and "未登记银行账号" in bad.content.decode()
    ok = client.post(url, {"amount": "4000", "payee_kind": "applicant", **ACCOUNT}, follow=True)
    assert ok.redirect_chain and "缺口2,000.00元" in ok.content.decode()  # warned, and approved
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "先行救助 4000.00 元已列支加查县人民检察院" in page and f"P-{case.pk}-0-1" in page
    assert "6228480000000000009" not in page  # masked
    other = Client()
    other.force_login(world.user("540527", "deputy_chief"))
    assert other.get(url).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_and_payments_of_one_advance_pay_once(world) -> None:
    budget = fund(world, budget="100000", allocated="20000")
    case = world.clue()
    case_actions.request_advance(case, acting_user=world.user("540528", "kongshen"), amount=Decimal(5000),
                                 urgency="危重。")
    d = world.user("540528", "deputy_chief")

    def approve() -> object:
        return case_actions.approve_advance(AidCase.objects.get(pk=case.pk), acting_user=d, amount=Decimal(5000),
                                            **ACCOUNT)

    results = race(*[approve] * 8)
    ok = [r for r in results if not isinstance(r, Exception)]
    assert len(ok) == 1, results
    assert all(isinstance(r, case_actions.CaseActionError) for r in results if isinstance(r, Exception)), results
    p = Payment.objects.get(case=case)
    fin = world.user("540528", "finance")

    def pay() -> object:
        return actions.pay(Payment.objects.get(pk=p.pk), acting_user=fin, bank_reference="B-ADV-RACE")

    results = race(*[pay] * 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal(5000), Decimal(5000))
    assert LedgerEntry.objects.filter(case=case, kind=K.PAYMENT).count() == 1
    assert AidCase.objects.get(pk=case.pk).paid_amount == Decimal(5000)
    assert Budget.objects.get(pk=budget.pk).available_cash == Decimal(15000)
