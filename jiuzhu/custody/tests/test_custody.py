"""Third-party custody: one agreement per case, the deposit, releases approved by both sides, the balance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.accounts.models import Membership, Role, User
from jiuzhu.custody import actions
from jiuzhu.custody.models import CustodyEntry, EntrustmentAgreement, ReleaseRequest
from jiuzhu.custody.tests.helpers import custodian, entrusted
from jiuzhu.funds import actions as funds
from jiuzhu.funds.models import Payment
from jiuzhu.lib import clock

RS = ReleaseRequest.Status


def test_it_records_the_payment_to_the_custodian_as_the_deposit(world) -> None:
    c = custodian(world)
    a = entrusted(world, c, amount="20000")
    assert (a.deposited, a.released, a.balance) == (Decimal(20000), 0, Decimal(20000))
    [entry] = CustodyEntry.objects.filter(agreement=a)
    assert (entry.kind, entry.amount, entry.payment.payee_kind) == ("deposit", Decimal(20000), "custodian")
    a.case.refresh_from_db()
    assert (a.case.status, a.case.payment_method) == ("paid", "custody")
    # The custodian's login is a CUSTODIAN membership at the registering procuratorate: it sees no case there.
    m = Membership.objects.get(user__username="cust1")
    assert (m.role, m.org.code, m.capabilities) == (Role.CUSTODIAN, "540528", frozenset())


def test_it_keeps_one_agreement_per_case_in_the_database(world) -> None:
    c = custodian(world)
    a = entrusted(world, c)
    with pytest.raises(actions.CustodyError, match="一案一委托"):
        actions.create_agreement(a.case, acting_user=world.user("540528", "kongshen"), custodian=c,
                                 guardian_name="x", amount=Decimal(1), purposes="x", release_schedule="x",
                                 suspend_conditions="x", ends_on=clock.today() + dt.timedelta(days=9))
    with pytest.raises(IntegrityError), transaction.atomic():
        EntrustmentAgreement.objects.create(
            case=a.case, custodian=c, guardian_name="x", amount=1, purposes="x", release_schedule="x",
            suspend_conditions="x", signed_on=clock.today(), ends_on=clock.today(), created_by=a.created_by,
            created_at=clock.now())


def test_a_release_needs_both_the_procurator_and_the_custodian(world) -> None:
    c = custodian(world)
    a = entrusted(world, c)
    h, staff = world.user("540528", "kongshen"), User.objects.get(username="cust1")
    r = actions.request_release(a, acting_user=h, amount=Decimal("3000"), purpose="学杂费")
    assert (r.status, r.procurator_approved_by, r.custodian_approved_by) == (RS.REQUESTED, h, None)
    with pytest.raises(actions.CustodyError, match="双方同意"):
        actions.confirm_release(r, acting_user=staff)
    with pytest.raises(actions.CustodyPermissionError):
        actions.approve_release(r, acting_user=world.user("540527", "kongshen"))
    with pytest.raises(actions.CustodyError, match="您方已同意"):
        actions.approve_release(r, acting_user=h)
    with pytest.raises(actions.CustodyPermissionError):
        actions.confirm_release(r, acting_user=h)  # only the custodian pays out
    r = actions.approve_release(r, acting_user=staff)
    assert r.status == RS.APPROVED
    actions.confirm_release(r, acting_user=staff)
    actions.confirm_release(r, acting_user=staff)  # again: nothing more
    a.refresh_from_db()
    assert (a.released, a.balance) == (Decimal(3000), Decimal(17000))
    assert CustodyEntry.objects.filter(agreement=a, kind="release").count() == 1
    assert a.case.events.filter(action="custody_released").count() == 1


def test_it_refuses_a_release_beyond_the_balance_and_a_suspended_agreement(world) -> None:
    c = custodian(world)
    a = entrusted(world, c, amount="5000")
    h = world.user("540528", "kongshen")
    with pytest.raises(actions.CustodyError, match="不足"):
        actions.request_release(a, acting_user=h, amount=Decimal("5000.01"), purpose="x")
    actions.request_release(a, acting_user=h, amount=Decimal("4000"), purpose="x")
    with pytest.raises(actions.CustodyError, match="待支取4,000.00"):
        actions.request_release(a, acting_user=h, amount=Decimal("1500"), purpose="x")
    actions.set_agreement_status(a, acting_user=h, status="suspended", reason="监护人变更")
    with pytest.raises(actions.CustodyError, match="暂停支取"):
        actions.request_release(a, acting_user=h, amount=Decimal("1"), purpose="x")
    with pytest.raises(actions.CustodyError, match="余额"):
        actions.set_agreement_status(a, acting_user=h, status="ended", reason="x")


def test_the_database_refuses_a_negative_balance(world) -> None:
    a = entrusted(world, custodian(world), amount="1000")
    with pytest.raises(IntegrityError), transaction.atomic():
        EntrustmentAgreement.objects.filter(pk=a.pk).update(released=Decimal("1000.01"))


def test_a_deposited_payment_cannot_be_returned(world) -> None:
    a = entrusted(world, custodian(world))
    p = Payment.objects.get(case=a.case)
    with pytest.raises(funds.FundsError, match="代管"):
        funds.mark_returned(p, acting_user=world.user("540528", "finance"), reason="退票")


def test_the_custodian_reports_periodically(world) -> None:
    a = entrusted(world, custodian(world))
    staff = User.objects.get(username="cust1")
    with pytest.raises(actions.CustodyError, match="报告期止"):
        actions.submit_report(a, acting_user=staff, period_from=clock.today(), period_to=clock.today() - dt.timedelta(1),
                              content="x")
    with pytest.raises(actions.CustodyPermissionError):
        actions.submit_report(a, acting_user=world.user("540528", "kongshen"), period_from=clock.today(),
                              period_to=clock.today(), content="x")
    rep = actions.submit_report(a, acting_user=staff, period_from=clock.today(), period_to=clock.today(), content="良好")
    assert rep.balance == Decimal(20000)


def test_the_sub_ledger_adds_up_whatever_the_sequence(world) -> None:
    a = entrusted(world, custodian(world), amount="10000")
    h, staff = world.user("540528", "kongshen"), User.objects.get(username="cust1")

    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(st.lists(st.tuples(st.sampled_from(["request", "approve", "confirm", "reject"]),
                              st.decimals(min_value=Decimal("0.01"), max_value=Decimal("4000"), places=2)),
                    max_size=8))
    def run(ops: list[tuple[str, Decimal]]) -> None:
        for op, amount in ops:
            open_ = ReleaseRequest.objects.filter(agreement=a).exclude(status__in=[RS.RELEASED, RS.REJECTED]).first()
            try:
                if op == "request":
                    actions.request_release(a, acting_user=h, amount=amount, purpose="用途")
                elif open_ is not None and op == "approve":
                    actions.approve_release(open_, acting_user=staff)
                elif open_ is not None and op == "confirm":
                    actions.confirm_release(open_, acting_user=staff)
                elif open_ is not None and op == "reject":
                    actions.approve_release(open_, acting_user=staff, approve=False, note="不符合用途")
            except actions.CustodyError:
                pass
            fresh = EntrustmentAgreement.objects.get(pk=a.pk)
            rows = list(CustodyEntry.objects.filter(agreement=a).order_by("pk"))
            deposits = sum((e.amount for e in rows if e.kind == "deposit"), Decimal(0))
            releases = sum((e.amount for e in rows if e.kind == "release"), Decimal(0))
            assert (fresh.deposited, fresh.released) == (deposits, releases)
            assert fresh.balance >= 0 and (not rows or rows[-1].balance_after == fresh.balance)
            released = sum(ReleaseRequest.objects.filter(agreement=a, status=RS.RELEASED).values_list("amount", flat=True),
                           Decimal(0))
            assert released == fresh.released

    run()


def test_the_agreement_is_generated_as_a_document(world) -> None:
    from jiuzhu.documents.actions import issue_document
    from jiuzhu.documents.tests.conftest import docx_of, text_of

    c = custodian(world)
    h = world.user("540528", "kongshen")
    case = world.to("granted", amount="9000")
    with pytest.raises(Exception, match="资金代管委托协议"):
        issue_document(case, "entrustment_agreement", acting_user=h)
    a = entrusted(world, c, amount="9000")
    doc = issue_document(a.case, "entrustment_agreement", acting_user=h)
    text = text_of(docx_of(doc))
    for part in (c.name, "次仁卓玛", "9,000.00元", "玖仟元整", a.suspend_conditions, a.case.number):
        assert part in text, part
    assert doc.context["custodian_account"] == "***************2333"
