"""The demo's money: every payment through funds (ledger rows), custody with its portal, a recovery."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.cases.models import AidCase
from jiuzhu.custody.models import CustodyEntry, EntrustmentAgreement, ReleaseRequest
from jiuzhu.demo import data
from jiuzhu.funds.models import Budget, LedgerEntry, Payment, Recovery
from jiuzhu.testing import password_login

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(demo_loaded):  # type: ignore[no-untyped-def]
    yield


def test_every_paid_case_was_paid_through_funds_with_ledger_rows(loaded) -> None:
    paid = AidCase.objects.filter(decision="grant", paid_on__isnull=False)
    assert paid.count() > 50
    for case in paid:
        rows = LedgerEntry.objects.filter(case=case, kind=LedgerEntry.Kind.PAYMENT)
        assert sum(rows.values_list("amount", flat=True), Decimal(0)) \
            == case.paid_amount == case.decided_amount, case.number
    for b in Budget.objects.all():
        sums: dict[str, Decimal] = {}
        for kind, amount in b.entries.values_list("kind", "amount"):
            sums[kind] = sums.get(kind, Decimal(0)) + amount
        for kind, total in LedgerEntry.TOTAL_OF.items():
            assert getattr(b, total) == sums.get(kind, Decimal(0))
        assert b.paid - b.returned <= b.allocated


def test_the_advance_aid_case_was_committed_and_paid_through_funds(loaded) -> None:
    case = AidCase.objects.get(status="advance_granted")
    p = Payment.objects.get(case=case, is_advance=True)
    assert (p.status, p.amount, case.paid_amount) == ("paid", Decimal(8000), Decimal(8000))
    kinds = set(LedgerEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {LedgerEntry.Kind.COMMITMENT, LedgerEntry.Kind.PAYMENT}


def test_minors_history_aid_is_in_custody_with_deposits_releases_and_reports(loaded) -> None:
    custody = AidCase.objects.filter(payment_method="custody")
    assert custody.count() >= 5
    for case in custody:
        a = EntrustmentAgreement.objects.get(case=case)
        assert a.deposited == a.amount == case.decided_amount
        assert Payment.objects.filter(case=case, payee_kind="custodian", status="paid").exists()
    assert CustodyEntry.objects.filter(kind="release").exists()
    assert EntrustmentAgreement.objects.filter(reports__isnull=False).exists()


def test_the_jiacha_custodian_sees_its_pending_release_in_the_portal(loaded) -> None:
    client = Client()
    assert password_login(client, "jiacha_custodian", data.DEMO_PASSWORD)
    assert client.get("/").url == "/custody/portal/"
    page = client.get("/custody/portal/").content.decode()
    assert "笔支取待办" in page
    pending = ReleaseRequest.objects.get(status="requested", agreement__custodian__name="中国农业银行加查县支行")
    detail = client.get(f"/custody/portal/{pending.agreement_id}/").content.decode()
    assert "2026年秋季学期住宿费及生活费" in detail
    assert pending.agreement.case.applicant.id_number not in detail


def test_a_current_recovery_is_on_the_ledger(loaded) -> None:
    r = Recovery.objects.get()
    assert (r.ground, r.recovered, r.status) == ("concealment", Decimal(4000), "open")
    assert LedgerEntry.objects.filter(kind="recovery", case=r.case).count() == 1
