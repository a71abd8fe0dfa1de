"""Fifty submissions of the same payment at the same instant pay it exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, LedgerEntry, Payment
from jiuzhu.funds.tests.helpers import fund, scheduled
from jiuzhu.lib.testing import race


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
