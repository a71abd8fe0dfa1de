"""Budget, commitments, payments, returns and reissues through the real actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.demo.loader import approve_route
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, Contribution, LedgerEntry, Payment
from jiuzhu.funds.tests.helpers import ACCOUNT, fund, scheduled
from jiuzhu.lib import clock
from jiuzhu.orgs.models import OrgSetting

K = LedgerEntry.Kind


def test_it_keeps_the_year_budget_and_its_ledger(world) -> None:
    b = fund(world, budget="100000", allocated="30000")
    fin = world.user("540528", "finance")
    actions.add_supplement(world.orgs["540528"], b.fiscal_year, acting_user=fin, amount=Decimal("20000"),
                           document_number="追字1号")
    b.refresh_from_db()
    assert (b.appropriated, b.supplemented, b.allocated) == (Decimal(100000), Decimal(20000), Decimal(30000))
    assert list(b.entries.values_list("kind", flat=True)) == [K.APPROPRIATION, K.ALLOCATION, K.SUPPLEMENT]
    with pytest.raises(actions.FundsError, match="追加预算"):
        actions.set_budget(world.orgs["540528"], b.fiscal_year, acting_user=fin, amount=Decimal(1))


def test_it_refuses_an_allocation_beyond_the_budget_and_requires_a_document_number(world) -> None:
    b = fund(world, budget="10000", allocated="0")
    fin = world.user("540528", "finance")
    with pytest.raises(actions.FundsError, match="财政追加"):
        actions.record_allocation(world.orgs["540528"], b.fiscal_year, acting_user=fin, amount=Decimal("10000.01"),
                                  document_number="1号")
    with pytest.raises(actions.FundsError, match="文号"):
        actions.record_allocation(world.orgs["540528"], b.fiscal_year, acting_user=fin, amount=Decimal(1),
                                  document_number=" ")
    b.refresh_from_db()
    assert b.allocated == 0 and b.entries.count() == 1


def test_it_lets_only_the_procuratorates_own_finance_staff_move_its_budget(world) -> None:
    year = clock.today().year
    for user in (world.user("540528", "kongshen"), world.user("540500", "finance"), world.user("540527", "finance")):
        with pytest.raises(actions.FundsPermissionError):
            actions.set_budget(world.orgs["540528"], year, acting_user=user, amount=Decimal(1))
    assert not Budget.objects.exists()


def test_it_commits_the_handling_procuratorates_budget_by_default(world) -> None:
    fund(world)
    case = world.to("granted", amount="12000")  # the decision itself commits the budget
    [c] = Contribution.objects.filter(case=case)
    assert (c.org.code, c.amount, c.budget.committed) == ("540528", Decimal(12000), Decimal(12000))
    # Committing again (a new arrangement) releases the old commitment first: nothing is counted twice.
    result = actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"))
    assert result.warnings == []
    assert Budget.objects.get(org__code="540528").committed == Decimal(12000)
    assert LedgerEntry.objects.filter(case=case, kind="release").count() == 1


def test_it_charges_joint_aid_to_each_contributors_own_budget(world) -> None:
    fund(world, "540528")
    fund(world, "540500")
    case = world.to("granted", amount="25000")
    result = actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"), contributions=[
        (world.orgs["540500"], Decimal("15000")), (world.orgs["540528"], Decimal("10000"))])
    assert {(c.org.code, c.amount) for c in result.contributions} == {("540500", Decimal(15000)),
                                                                      ("540528", Decimal(10000))}
    assert Budget.objects.get(org__code="540500").committed == Decimal(15000)
    payments = actions.schedule_payments(
        case, acting_user=world.user("540528", "kongshen"), plan=[(Decimal(15000), clock.today()),
                                                                  (Decimal(10000), clock.today())],
        payee_kind="applicant", payee_name="申请人", bank_name="农行", account=ACCOUNT)
    assert [(p.budget.org.code, p.amount) for p in payments] == [("540500", Decimal(15000)),
                                                                 ("540528", Decimal(10000))]
    with pytest.raises(actions.FundsError, match="已制定"):
        actions.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                  plan=[(Decimal(25000), clock.today())], payee_kind="applicant",
                                  payee_name="申请人", bank_name="农行", account=ACCOUNT)


def test_it_refuses_an_instalment_straddling_two_contributors(world) -> None:
    case = world.to("granted", amount="25000")
    actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"), contributions=[
        (world.orgs["540500"], Decimal("15000")), (world.orgs["540528"], Decimal("10000"))])
    with pytest.raises(actions.FundsError, match="拆分"):
        actions.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                  plan=[(Decimal(10000), clock.today()), (Decimal(15000), clock.today())],
                                  payee_kind="applicant", payee_name="申请人", bank_name="农行", account=ACCOUNT)
    assert not Payment.objects.exists()


def test_it_refuses_joint_contributions_that_do_not_add_up(world) -> None:
    case = world.to("granted", amount="25000")
    with pytest.raises(actions.FundsError, match="不一致"):
        actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"), contributions=[
            (world.orgs["540500"], Decimal("15000")), (world.orgs["540528"], Decimal("9999.99"))])
    # The decision's own commitment (the handling procuratorate pays all) is left as it was.
    assert list(Contribution.objects.values_list("org__code", "amount")) == [("540528", Decimal(25000))]
    assert list(LedgerEntry.objects.values_list("kind", flat=True)) == ["commitment"]


def test_it_warns_over_budget_by_default_and_blocks_when_set(world) -> None:
    fund(world, budget="10000", allocated="0")
    warned = world.to("granted", amount="12000")
    event = warned.events.get(action="funds_commit")
    assert "缺口2,000.00元" in event.data["warnings"] and "财政追加申请" in event.data["warnings"]
    OrgSetting.objects.create(org=world.orgs["540500"], key="funds.over_budget", value="block")
    blocked = world.to("pending_approval", amount="3000")
    with pytest.raises(actions.FundsError, match="缺口3,000.00元.*财政追加申请"):
        approve_route(world.demo, blocked, amount=Decimal("3000"))
    assert Budget.objects.get().committed == Decimal(12000)
    assert not Contribution.objects.filter(case=blocked).exists()
    assert AidCase.objects.get(pk=blocked.pk).status == "pending_approval"  # the decision did not happen


def test_it_schedules_instalments_that_add_up_with_an_encrypted_masked_account(world) -> None:
    fund(world)
    payments = scheduled(world, amount="12000", plan=["4000", "4000", "4000"])
    assert [(p.instalment_no, p.reference) for p in payments] == [
        (i, f"P-{payments[0].case_id}-{i}-1") for i in (1, 2, 3)]
    assert payments[0].account_masked == "*" * 15 + "3445"
    with connection.cursor() as cursor:
        cursor.execute("SELECT account FROM funds_payment WHERE id = %s", [payments[0].pk])
        assert ACCOUNT.encode() not in bytes(cursor.fetchone()[0])
    assert Payment.objects.get(pk=payments[0].pk).account == ACCOUNT


@pytest.mark.parametrize(("plan", "account", "message"), [
    (["5000", "5000"], ACCOUNT, "不一致"), (["12000"], "1234", "8至30位数字"), (["12000.001"], ACCOUNT, "两位小数")])
def test_it_refuses_a_bad_plan_in_chinese(world, plan, account, message) -> None:
    fund(world)
    case = world.to("granted", amount="12000")
    actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"))
    with pytest.raises(actions.FundsError, match=message):
        actions.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                  plan=[(Decimal(a), clock.today()) for a in plan], payee_kind="guardian",
                                  payee_name="监护人", bank_name="农行", account=account)
    assert not Payment.objects.exists()


def test_it_pays_once_and_records_it_on_the_case(world) -> None:
    fund(world)
    [p] = scheduled(world)
    fin = world.user("540528", "finance")
    paid = actions.pay(p, acting_user=fin, bank_reference="B0001")
    again = actions.pay(p, acting_user=fin, bank_reference="B0001")
    assert paid.status == again.status == Payment.Status.PAID
    assert LedgerEntry.objects.filter(kind=K.PAYMENT).count() == 1
    assert Budget.objects.get().paid == Decimal(12000)
    case = AidCase.objects.get(pk=p.case_id)
    assert case.paid_amount == Decimal(12000) and case.status == "granted"
    assert CaseEvent.objects.filter(case=case, action="payment").count() == 1
    with pytest.raises(actions.FundsError, match="已于"):
        actions.pay(p, acting_user=fin, bank_reference="B0002")


def test_it_refuses_to_pay_beyond_the_allocation_and_changes_nothing(world) -> None:
    fund(world, budget="100000", allocated="10000")
    [p] = scheduled(world, amount="12000")
    with pytest.raises(actions.FundsError, match="财政核拨资金不足"):
        actions.pay(p, acting_user=world.user("540528", "finance"), bank_reference="B1")
    p.refresh_from_db()
    assert p.status == Payment.Status.SCHEDULED and p.bank_reference == ""
    assert Budget.objects.get().paid == 0 and not LedgerEntry.objects.filter(kind=K.PAYMENT).exists()
    assert AidCase.objects.get(pk=p.case_id).paid_amount == 0


def test_the_database_itself_refuses_payment_beyond_allocation(world) -> None:
    b = fund(world, budget="100000", allocated="10000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=b.pk).update(paid=Decimal("10000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=b.pk).update(allocated=Decimal("100000.01"))


def test_it_returns_a_payment_and_reissues_it_to_a_new_account(world) -> None:
    fund(world)
    [p] = scheduled(world)
    fin = world.user("540528", "finance")
    actions.pay(p, acting_user=fin, bank_reference="B1")
    returned = actions.mark_returned(p, acting_user=fin, reason="账号已销户")
    assert returned.status == Payment.Status.RETURNED
    b = Budget.objects.get()
    assert (b.paid, b.returned) == (Decimal(12000), Decimal(12000))
    assert AidCase.objects.get(pk=p.case_id).paid_amount == 0
    new = actions.reissue(p, acting_user=fin, bank_name="工行", account="6212260200000001111")
    assert new.reference == f"P-{p.case_id}-1-2" and new.reissue_of == p and new.account_masked.endswith("1111")
    with pytest.raises(actions.FundsError, match="已重新发放"):
        actions.reissue(p, acting_user=fin, bank_name="工行", account="6212260200000001111")
    actions.pay(new, acting_user=fin, bank_reference="B2")
    b.refresh_from_db()
    assert b.paid - b.returned == Decimal(12000)
    assert AidCase.objects.get(pk=p.case_id).paid_amount == Decimal(12000)


def test_it_returns_only_paid_payments(world) -> None:
    fund(world)
    [p] = scheduled(world)
    with pytest.raises(actions.FundsError, match="只有已支付"):
        actions.mark_returned(p, acting_user=world.user("540528", "finance"), reason="x")


def test_ledger_rows_cannot_be_changed(world) -> None:
    entry = fund(world).entries.first()
    entry.note = "改"
    with pytest.raises(ValueError, match="不可修改"):
        entry.save()
    with pytest.raises(ValueError, match="不可删除"):
        entry.delete()


def test_the_first_bank_payment_moves_a_case_waiting_for_payment_to_paid(world) -> None:
    from jiuzhu.cases import actions as case_actions

    fund(world)
    payments = scheduled(world, amount="12000", plan=["8000", "4000"])
    case = payments[0].case
    case_actions.serve_decision(case, acting_user=world.user("540528", "kongshen"), method="direct", recipient="本人")
    case_actions.record_funds(case, acting_user=world.user("540528", "finance"))
    actions.pay(payments[0], acting_user=world.user("540528", "finance"), bank_reference="B-1")
    case.refresh_from_db()
    assert (case.status, case.paid_amount, case.payment_method) == ("paid", Decimal(8000), "instalments")
    assert not case.deadlines.filter(kind="payment_notice", completed_on__isnull=True).exists()
    actions.pay(payments[1], acting_user=world.user("540528", "finance"), bank_reference="B-2")
    case.refresh_from_db()
    assert (case.status, case.paid_amount) == ("paid", Decimal(12000))
    assert case.events.filter(action="record_payment").count() == 1
