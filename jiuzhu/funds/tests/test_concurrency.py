"""Fifty submissions of the same payment at the same instant pay it exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, LedgerEntry, Payment
from jiuzhu.funds.tests.helpers import fund, scheduled
from jiuzhu.testing import race


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_pays_an_instalment_once_under_50_concurrent_attempts(world) -> None:
    fund(world, budget="100000", allocated="50000")
    p = scheduled(world, amount="12000", plan=["6000", "6000"])[0]
    fin = world.user("540528", "finance")

    def attempt() -> object:
        return actions.pay(Payment.objects.get(pk=p.pk), acting_user=fin, bank_reference="B-RACE-1")

    results = race(*[attempt] * 50)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1
    assert Budget.objects.get().paid == Decimal(6000)
    assert Payment.objects.get(pk=p.pk).status == Payment.Status.PAID
    assert AidCase.objects.get(pk=p.case_id).paid_amount == Decimal(6000)
    assert CaseEvent.objects.filter(case_id=p.case_id, action="payment").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_budget_never_goes_below_zero_whatever_the_interleaving(world) -> None:
    fund(world, budget="100000", allocated="10000")
    payments = [scheduled(world, amount="3000")[0] for _ in range(5)]
    fin = world.user("540528", "finance")

    def attempt(p: Payment):  # type: ignore[no-untyped-def]
        return lambda: actions.pay(Payment.objects.get(pk=p.pk), acting_user=fin, bank_reference=f"B-{p.pk}")

    results = race(*[attempt(p) for p in payments for _ in range(4)])
    refused = [r for r in results if isinstance(r, Exception)]
    assert refused and all(isinstance(r, actions.FundsError) for r in refused), results
    b = Budget.objects.get()
    paid_rows = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT)
    assert b.paid == Decimal(9000) and paid_rows.count() == 3 and b.available_cash == Decimal(1000)
    assert Payment.objects.filter(status="paid").count() == 3
