"""Two custodian staff confirming releases at the same instant cannot take the balance below zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.accounts.models import User
from jiuzhu.custody import actions
from jiuzhu.custody.models import CustodyEntry, EntrustmentAgreement, ReleaseRequest
from jiuzhu.custody.tests.helpers import custodian, entrusted
from jiuzhu.testing import race


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_confirmations_never_overdraw_the_custody_balance(world) -> None:
    a = entrusted(world, custodian(world), amount="10000")
    h, staff = world.user("540528", "kongshen"), User.objects.get(username="cust1")
    # Two approved uses of 6,000 each: requested when the balance allowed them one at a time.
    releases = []
    for _ in range(2):
        r = actions.request_release(a, acting_user=h, amount=Decimal("6000"), purpose="用途")
        releases.append(actions.approve_release(r, acting_user=staff))
        if len(releases) == 1:  # make room for the second request, then put the first back to approved
            ReleaseRequest.objects.filter(pk=r.pk).update(status=ReleaseRequest.Status.REJECTED)
    ReleaseRequest.objects.filter(pk=releases[0].pk).update(status=ReleaseRequest.Status.APPROVED)

    def confirm(r: ReleaseRequest):  # type: ignore[no-untyped-def]
        return lambda: actions.confirm_release(ReleaseRequest.objects.get(pk=r.pk), acting_user=staff)

    results = race(*[confirm(releases[i % 2]) for i in range(10)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors and all(isinstance(e, actions.CustodyError) for e in errors), results
    fresh = EntrustmentAgreement.objects.get(pk=a.pk)
    assert (fresh.released, fresh.balance) == (Decimal(6000), Decimal(4000))
    assert CustodyEntry.objects.filter(agreement=a, kind="release").count() == 1
