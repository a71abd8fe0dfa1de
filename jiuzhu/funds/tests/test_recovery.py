"""Recovery (追回) of aid: amount due within what was paid, receipts on the ledger, the treasury, liability."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.cases import actions as case_actions
from jiuzhu.demo.loader import GROUNDS_NONE, approve_route
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, LedgerEntry, Recovery, RecoveryEntry
from jiuzhu.funds.queries import recovered_by_org
from jiuzhu.funds.tests.helpers import fund
from jiuzhu.lib import clock


def _fraud(world, amount: str = "10000") -> Recovery:  # type: ignore[no-untyped-def]
    case = world.to("paid", amount=amount)
    return actions.open_recovery(case, acting_user=world.user("540528", "kongshen"), ground="fraud",
                                 facts="申请人隐瞒已获民事赔偿的事实，虚构生活困难。", amount_due=Decimal(amount),
                                 document_number="加检追〔2026〕1号")


def test_it_recovers_fraudulent_aid_through_the_ledger_and_the_treasury(world) -> None:
    fund(world, budget="100000", allocated="50000")
    r = _fraud(world)
    fin = world.user("540528", "finance")
    with pytest.raises(actions.FundsError, match="尚未追回的10,000.00"):
        actions.record_recovery_receipt(r, acting_user=fin, amount=Decimal("10000.01"))
    with pytest.raises(actions.FundsPermissionError):
        actions.record_recovery_receipt(r, acting_user=world.user("540528", "kongshen"), amount=Decimal(1))
    actions.record_recovery_receipt(r, acting_user=fin, amount=Decimal("4000"), document_number="收据001")
    r = actions.record_recovery_receipt(r, acting_user=fin, amount=Decimal("6000"), document_number="收据002")
    assert (r.recovered, r.status) == (Decimal(10000), Recovery.Status.RECOVERED)
    b = Budget.objects.get(org__code="540528")
    rows = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RECOVERY, budget=b)
    assert b.recovered == Decimal(10000) == sum(rows.values_list("amount", flat=True))
    assert b.available_cash == b.allocated - b.paid  # recovered money goes to the treasury, not back to the budget
    with pytest.raises(actions.FundsError, match="缴款书"):
        actions.transfer_to_treasury(r, acting_user=fin, amount=Decimal(10000), document_number=" ")
    with pytest.raises(actions.FundsError, match="已追回未上缴"):
        actions.transfer_to_treasury(r, acting_user=fin, amount=Decimal("10000.01"), document_number="缴1")
    r = actions.transfer_to_treasury(r, acting_user=fin, amount=Decimal(10000), document_number="缴1")
    assert (r.transferred, r.status) == (Decimal(10000), Recovery.Status.CLOSED)
    r = actions.add_liability_note(r, acting_user=world.user("540528", "kongshen"),
                                   note="涉嫌诈骗，线索已移送公安机关。")
    assert "移送公安机关" in r.liability
    assert [e.kind for e in RecoveryEntry.objects.filter(recovery=r)] == ["receipt", "receipt", "transfer", "liability"]
    assert r.case.events.filter(action__startswith="recovery").count() == 5


def test_the_amount_due_cannot_exceed_what_was_paid_and_one_recovery_per_case(world) -> None:
    case = world.to("paid", amount="5000")
    h = world.user("540528", "kongshen")
    with pytest.raises(actions.FundsError, match="已发放的5,000.00"):
        actions.open_recovery(case, acting_user=h, ground="fraud", facts="x", amount_due=Decimal("5000.01"))
    with pytest.raises(actions.FundsError, match="没有先行救助"):
        actions.open_recovery(case, acting_user=h, ground="advance_refused", facts="x", amount_due=Decimal(1))
    with pytest.raises(actions.FundsError, match="事由"):
        actions.open_recovery(case, acting_user=h, ground="nonsense", facts="x", amount_due=Decimal(1))
    actions.open_recovery(case, acting_user=h, ground="concealment", facts="x", amount_due=Decimal(2000))
    with pytest.raises(actions.FundsError, match="已登记追回"):
        actions.open_recovery(case, acting_user=h, ground="fraud", facts="x", amount_due=Decimal(1))
    with pytest.raises(actions.FundsPermissionError):
        actions.open_recovery(world.to("paid", "540527", amount="3000"), acting_user=h, ground="fraud", facts="x",
                              amount_due=Decimal(1))


def test_advance_aid_later_refused_is_recovered(world) -> None:
    case = world.clue()
    h = world.user("540528", "kongshen")
    case_actions.request_advance(case, acting_user=h, amount=Decimal("6000"), urgency="危重。")
    fund(world, budget="50000", allocated="20000")
    case_actions.approve_advance(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal("6000"),
                                 bank_name="中国农业银行", account="6228480000000000009")
    actions.pay(case.payments.get(), acting_user=world.user("540528", "finance"), bank_reference="B-ADV-1")
    case_actions.complete_formalities(case, acting_user=h, form="oral")
    case_actions.submit_opinion(case, acting_user=h, category="E1", grounds=GROUNDS_NONE, recommendation="refuse",
                                reasoning="经审查已获足额赔偿。")
    approve_route(world.demo, case, refuse="不符合救助条件。")
    # The refusal opened the recovery of the advance paid (funds.settle_advance_on_refusal).
    r = Recovery.objects.get(case=case)
    assert (r.budget.org.code, r.amount_due, r.ground) == ("540528", Decimal(6000), "advance_refused")
    with pytest.raises(actions.FundsError, match="已登记追回"):
        actions.open_recovery(case, acting_user=h, ground="advance_refused", facts="x", amount_due=Decimal(6000))
    actions.record_recovery_receipt(r, acting_user=world.user("540528", "finance"), amount=Decimal(6000))
    assert Budget.objects.get(org__code="540528").recovered == Decimal(6000)


def test_statistics_read_recovered_amounts_by_org_and_period(world) -> None:
    day = clock.today()
    with clock.travel(day - dt.timedelta(days=50)):
        r = _fraud(world, "8000")
    fin = world.user("540528", "finance")
    actions.record_recovery_receipt(r, acting_user=fin, amount=Decimal("3000"), on=day - dt.timedelta(days=40))
    actions.record_recovery_receipt(r, acting_user=fin, amount=Decimal("2000.50"), on=day)
    city = world.orgs["540500"]
    assert recovered_by_org(city, day - dt.timedelta(days=60), day) == [
        {"code": "540528", "name": "加查县人民检察院", "cases": 1, "amount_yuan": Decimal("5000.50")}]
    assert recovered_by_org(city, day - dt.timedelta(days=10), day)[0]["amount_yuan"] == Decimal("2000.50")
    assert recovered_by_org(world.orgs["540527"], day - dt.timedelta(days=60), day) == []


def test_the_recovery_screen_answers_chinese_errors_404_and_403(world) -> None:
    case = world.to("paid", amount="5000")
    client = Client()
    client.force_login(world.user("540528", "kongshen"))
    page = client.get(f"/funds/cases/{case.pk}/recovery/").content.decode()
    assert "决定追回救助金" in page
    bad = client.post(f"/funds/cases/{case.pk}/recovery/open/", {"ground": "fraud", "facts": "x",
                                                                 "amount_due": "9999"}, follow=True)
    assert "不能超过本案已发放的5,000.00元" in bad.content.decode() and not Recovery.objects.exists()
    client.post(f"/funds/cases/{case.pk}/recovery/open/", {"ground": "fraud", "facts": "骗取", "amount_due": "5000"})
    assert Recovery.objects.get().amount_due == Decimal(5000)
    # The handler may not record money received (finance does): the action answers 403 as a message.
    denied = client.post(f"/funds/cases/{case.pk}/recovery/receipt/", {"amount": "1"}, follow=True)
    assert denied.status_code == 403 or "无权" in denied.content.decode()
    assert Recovery.objects.get().recovered == 0
    other = Client()
    other.force_login(world.user("540527", "kongshen"))
    assert other.get(f"/funds/cases/{case.pk}/recovery/").status_code == 404
