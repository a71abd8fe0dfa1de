"""From decision to the bank through funds only: funds arrival, the payment-notice deadline, joint aid
paid by each contributor from its own budget, and the worklist's payments-due tab."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.access import get_case_for_user
from jiuzhu.cases.models import Deadline
from jiuzhu.cases.queries import worklist
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, LedgerEntry, Payment
from jiuzhu.funds.tests.helpers import ACCOUNT, fund
from jiuzhu.lib import clock

K = LedgerEntry.Kind


def test_funds_arrival_needs_allocated_money_and_starts_the_payment_notice(world) -> None:
    fund(world, budget="100000", allocated="5000")
    case = world.to("served", amount="8000")
    h = world.user("540528", "kongshen")
    with pytest.raises(actions.FundsError, match="可支付余额5,000.00元，不足本案待发放的8,000.00元"):
        case_actions.record_funds(case, acting_user=h)
    case.refresh_from_db()
    assert case.status == "served" and not case.deadlines.filter(kind=Deadline.Kind.PAYMENT_NOTICE).exists()
    fin = world.user("540528", "finance")
    actions.record_allocation(world.orgs["540528"], clock.today().year, acting_user=fin, amount=Decimal(3000),
                              document_number="核拨2号")
    actions.record_funds_arrival(case, acting_user=fin)
    case.refresh_from_db()
    assert case.status == "awaiting_payment"
    notice = case.deadlines.get(kind=Deadline.Kind.PAYMENT_NOTICE, completed_on__isnull=True)
    assert case.next_due == notice.due_on
    # The worklist's 待发放救助金 tab lists it for the handler and for finance.
    for user in (h, fin):
        assert case in worklist(user, view="payments_due")
    [p] = actions.schedule_payments(case, acting_user=h, plan=[(Decimal(8000), clock.today())],
                                    payee_kind="applicant", payee_name="申请人", bank_name="农行", account=ACCOUNT)
    actions.pay(p, acting_user=fin, bank_reference="B-FLOW-1")
    case.refresh_from_db()
    assert case.status == "paid" and case not in worklist(h, view="payments_due")
    assert Deadline.objects.get(pk=notice.pk).completed_on == clock.today()
    # The manual 登记发放救助金 is gone from the case page: the payments panel is the only way.
    from jiuzhu.cases.views import ACTION_FORMS

    assert "record_payment" not in ACTION_FORMS and not hasattr(case_actions, "record_payment")


def test_a_joint_case_of_shannan_and_jiacha_charges_each_budget_its_own_share_and_both_see_it(world) -> None:
    fund(world, "540528", budget="100000", allocated="50000")
    fund(world, "540500", budget="300000", allocated="100000")
    case = world.to("pending_approval", amount="25000")
    from jiuzhu.demo.loader import approve_route

    approve_route(world.demo, case, amount=Decimal("25000"), contributions=[
        (world.orgs["540500"], Decimal("15000")), (world.orgs["540528"], Decimal("10000"))])
    h = world.user("540528", "kongshen")
    case_actions.serve_decision(case, acting_user=h, method="direct", recipient="本人")
    case_actions.record_funds(case, acting_user=h)
    payments = actions.schedule_payments(
        case, acting_user=h, plan=[(Decimal(15000), clock.today()), (Decimal(10000), clock.today())],
        payee_kind="applicant", payee_name="申请人", bank_name="农行", account=ACCOUNT)
    # The city's finance staff pay the city's share first: the case moves all the same.
    with pytest.raises(actions.FundsPermissionError):
        actions.pay(payments[0], acting_user=world.user("540528", "finance"), bank_reference="B-J-1")
    actions.pay(payments[0], acting_user=world.user("540500", "finance"), bank_reference="B-J-1")
    actions.pay(payments[1], acting_user=world.user("540528", "finance"), bank_reference="B-J-2")
    city, county = Budget.objects.get(org__code="540500"), Budget.objects.get(org__code="540528")
    assert (city.committed, city.paid) == (Decimal(15000), Decimal(15000))
    assert (county.committed, county.paid) == (Decimal(10000), Decimal(10000))
    assert [(e.budget.org.code, e.amount) for e in LedgerEntry.objects.filter(case=case, kind=K.PAYMENT)
            .order_by("pk")] == [("540500", Decimal(15000)), ("540528", Decimal(10000))]
    case.refresh_from_db()
    assert (case.status, case.paid_amount, case.payment_method) == ("paid", Decimal(25000), "lump_sum")
    for code in ("540500", "540528"):
        assert get_case_for_user(world.user(code, "finance"), case.pk) == case
        assert get_case_for_user(world.user(code, "kongshen"), case.pk) == case
    with pytest.raises(Http404):
        get_case_for_user(world.user("540527", "kongshen"), case.pk)


def test_world_paid_cases_write_ledger_rows(world) -> None:
    case = world.to("paid", amount="6000")
    [row] = LedgerEntry.objects.filter(case=case, kind=K.PAYMENT)
    assert row.amount == Decimal(6000) and Payment.objects.get(case=case).status == "paid"


def test_the_payments_due_tab_takes_the_same_queries_for_2_and_6_cases(world, client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        world.to("awaiting_payment", amount="3000")
    client.force_login(world.user("540528", "kongshen"))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/?view=payments_due").content.decode().count("540528-") == 2
    for _ in range(4):
        world.to("awaiting_payment", amount="3000")
    world.to("granted", amount="3000")  # not yet funded: not listed
    with CaptureQueriesContext(connection) as many:
        assert client.get("/?view=payments_due").content.decode().count("540528-") == 6
    assert len(many) == len(few)
