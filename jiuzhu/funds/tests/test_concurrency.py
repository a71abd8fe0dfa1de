"""Fifty submissions of the same payment at the same instant pay it exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from jiuzhu.cases.models import AidCase, CaseEvent
from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, LedgerEntry, Payment
from jiuzhu.funds.tests.helpers import fund, scheduled


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run CALLS in threads released at the same instant; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_pays_an_instalment_once_under_50_concurrent_attempts(world) -> None:
    fund(world, budget="100000", allocated="50000")
    p = scheduled(world, amount="12000", plan=["6000", "6000"])[0]
    fin = world.user("540528", "finance")

    def attempt() -> object:
        return actions.pay(Payment.objects.get(pk=p.pk), acting_user=fin, bank_reference="B-RACE-1")

    results = _race([attempt] * 50)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1
    assert Budget.objects.get().paid == Decimal(6000)
    assert Payment.objects.get(pk=p.pk).status == Payment.Status.PAID
    assert AidCase.objects.get(pk=p.case_id).paid_amount == Decimal(6000)
    assert CaseEvent.objects.filter(case_id=p.case_id, action="payment").count() == 1
