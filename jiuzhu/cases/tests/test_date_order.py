"""Issue 13: the dates a person gives on the case route follow the order of events; a date out of order is
refused in Chinese and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.cases import actions
from jiuzhu.cases.models import ApprovalStep, CaseEvent, Status
from jiuzhu.demo.world import MEETING, approver_for
from jiuzhu.lib import clock, dates

D0 = dt.date(2024, 3, 1)
WHATS = ["受理日期", "审查意见提出日期", "部门负责人审批日期", "会议日期", "决定日期", "送达日期"]


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=6),
       st.lists(st.booleans(), min_size=6, max_size=6))
def test_the_ordering_rule_refuses_exactly_a_date_before_an_earlier_event(offsets, known) -> None:
    events = [(WHATS[i], D0 + dt.timedelta(days=o) if known[i] else None) for i, o in enumerate(offsets)]
    message = dates.order_problem(events)
    given_days = [(w, d) for w, d in events if d is not None]
    in_order = all(a[1] <= b[1] for a, b in zip(given_days, given_days[1:], strict=False))
    assert (message is None) == in_order
    if message is not None:
        # The message names the first date out of order and the latest event before it.
        first = next(i for i, (_, day) in enumerate(given_days) if day < max(d for _, d in given_days[:i + 1]))
        what, day = given_days[first]
        before = max(given_days[:first], key=lambda e: e[1])
        assert message.startswith(f"{what}（{day.year}年{day.month:02d}月{day.day:02d}日）不能早于")
        assert f"{before[1].year}年{before[1].month:02d}月{before[1].day:02d}日" in message


def _three_step_case(world):  # type: ignore[no-untyped-def]
    """A case accepted on D, opinion on D+1, 部门负责人 on D+3, 分管副检察长 on D+5; the meeting step pending."""
    start = clock.today() - dt.timedelta(days=20)
    with clock.travel(start):
        case = world.to("under_review", amount="12000")
    h = world.user("540528", "kongshen")
    from jiuzhu.demo.loader import GROUNDS_NONE

    with clock.travel(start + dt.timedelta(days=1)):
        actions.submit_opinion(case, acting_user=h, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                               reasoning="建议救助。", proposed_amount=Decimal("12000"))
    for days in (3, 5):
        with clock.travel(start + dt.timedelta(days=days)):
            step = case.approval_steps.get(status=ApprovalStep.Status.PENDING)
            actions.approve_step(case, acting_user=approver_for(world.demo, "540528", step.role), comment="同意。")
    step = case.approval_steps.get(status=ApprovalStep.Status.PENDING)
    assert step.role == ApprovalStep.COLLECTIVE
    return case, start, approver_for(world.demo, "540528", step.role)


@pytest.mark.parametrize(("meeting_day", "decided_day", "message"), [
    (6, 4, "决定日期（"),  # a decision before the 分管副检察长's approval
    (4, 7, "会议日期（"),  # a meeting before the previous approval
    (9, 7, "会议日期不能晚于决定日期"),  # a meeting after the decision
    (30, 30, "会议日期不能晚于今天"),  # a meeting in the future
    (0, 7, "会议日期（"),  # a meeting before the opinion was written
])
def test_the_meeting_and_the_decision_follow_the_route(world, meeting_day, decided_day, message) -> None:
    case, start, chief = _three_step_case(world)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError, match=message):
        actions.decide_grant(case, acting_user=chief, amount=Decimal("12000"), reasons="予以救助。",
                             on=start + dt.timedelta(days=decided_day),
                             meeting={**MEETING, "meeting_date": start + dt.timedelta(days=meeting_day)})
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL and case.decided_on is None
    assert CaseEvent.objects.filter(case=case).count() == events
    assert case.approval_steps.get(role=ApprovalStep.COLLECTIVE).status == ApprovalStep.Status.PENDING
    # In order, the same decision goes through.
    actions.decide_grant(case, acting_user=chief, amount=Decimal("12000"), reasons="予以救助。",
                         on=start + dt.timedelta(days=7),
                         meeting={**MEETING, "meeting_date": start + dt.timedelta(days=6)})
    case.refresh_from_db()
    assert case.status == Status.GRANTED and case.decided_on == start + dt.timedelta(days=7)


def test_a_decision_message_names_the_approval_it_would_precede(world) -> None:
    case, start, chief = _three_step_case(world)
    with pytest.raises(ValidationError) as e:
        actions.decide_grant(case, acting_user=chief, amount=Decimal("12000"), reasons="予以救助。",
                             on=start + dt.timedelta(days=4),
                             meeting={**MEETING, "meeting_date": start + dt.timedelta(days=4)})
    assert "不能早于分管副检察长审批日期" in e.value.messages[0]


def test_the_service_of_the_decision_cannot_precede_it(world) -> None:
    case = world.to("granted")
    h = world.user("540528", "kongshen")
    with pytest.raises(ValidationError, match="送达日期不能早于决定日期"):
        actions.serve_decision(case, acting_user=h, method="direct", recipient="本人",
                               on=case.decided_on - dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.status == Status.GRANTED and case.served_on is None
