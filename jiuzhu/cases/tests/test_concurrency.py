"""Two people acting on the same case at the same moment: exactly one of them succeeds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, CaseEvent, Status
from jiuzhu.testing import race


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_leave_exactly_one_decision(world) -> None:
    case = world.to("pending_approval", amount="9000")
    actions.approve_step(case, acting_user=world.user("540528", "dept_head"), comment="同意。")
    deputy = world.user("540528", "deputy_chief")
    results = race(
        lambda: actions.decide_grant(AidCase.objects.get(pk=case.pk), acting_user=deputy, amount=Decimal("9000"),
                                     reasons="同意救助。"),
        lambda: actions.decide_refuse(AidCase.objects.get(pk=case.pk), acting_user=deputy, reasons="不予救助。"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], actions.CaseActionError)
    case.refresh_from_db()
    assert case.status in (Status.GRANTED, Status.REFUSED)
    decisions = CaseEvent.objects.filter(case=case, action__in=["decide_grant", "decide_refuse"])
    assert decisions.count() == 1
    assert decisions.get().new_status == case.status


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_approval_submitted_twice_at_once_decides_once(world) -> None:
    case = world.to("pending_approval", amount="4000")
    actions.approve_step(case, acting_user=world.user("540528", "dept_head"), comment="同意。")
    head = world.user("540528", "deputy_chief")

    def approve() -> object:
        return actions.decide_grant(AidCase.objects.get(pk=case.pk), acting_user=head, amount=Decimal("4000"),
                                    reasons="同意。")

    results = race(approve, approve, approve)
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert CaseEvent.objects.filter(case=case, action="decide_grant").count() == 1
