"""The lifecycle: named actions, allowed moves as data, events, authority and separation of duties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.cases import actions
from jiuzhu.cases.lifecycle import MOVES
from jiuzhu.cases.models import AidCase, CaseEvent, Deadline, Status
from jiuzhu.cases.queries import next_moves
from jiuzhu.demo.loader import GROUNDS_NONE
from jiuzhu.lib import clock


def test_it_walks_a_case_from_clue_to_archive_with_an_event_per_step(world) -> None:
    case = world.to("archived")
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED
    transitions = list(case.events.filter(kind=CaseEvent.Kind.TRANSITION).values_list("new_status", flat=True))
    assert transitions == ["notified", "applied", "accepted", "under_review", "pending_approval", "granted",
                           "served", "awaiting_payment", "paid", "follow_up", "closed", "archived"]
    assert not case.deadlines.filter(completed_on__isnull=True).exists()
    # 10,000 yuan reaches the collective threshold: head and deputy approve, the chief records the meeting.
    steps = list(case.approval_steps.values_list("role", "status", "actor__username"))
    assert steps == [("dept_head", "approved", "jiacha_dept_head"), ("deputy_chief", "approved", "jiacha_deputy_chief"),
                     ("collective", "approved", "jiacha_chief")]
    approver_event = case.events.get(action="decide_grant")
    assert approver_event.actor == world.user("540528", "chief")
    assert approver_event.data["amount"] == "10000"


def test_every_move_targets_and_sources_are_real_states() -> None:
    for move in MOVES.values():
        assert move.sources <= set(Status.values)
        assert move.targets <= set(Status.values)
        assert move.capabilities


def test_it_refuses_a_move_from_the_wrong_state_and_changes_nothing(world) -> None:
    case = world.clue()
    events = case.events.count()
    with pytest.raises(actions.InvalidTransition, match="线索"):
        actions.accept(case, acting_user=world.user("540528", "kongshen"))
    case.refresh_from_db()
    assert case.status == Status.CLUE and case.events.count() == events


def test_it_keeps_the_case_department_to_clues_and_notices(world) -> None:
    case = world.to("notified")
    with pytest.raises(PermissionDenied):
        actions.register_application(case, acting_user=world.user("540528", "case_prosecutor"), form="written")


def test_it_refuses_the_administrator_any_case_action(world) -> None:
    case = world.to("pending_approval", "540500")
    with pytest.raises(PermissionDenied):
        actions.decide_grant(case, acting_user=world.user("540500", "admin"), amount=Decimal("1"), reasons="x")
    assert AidCase.objects.get(pk=case.pk).status == Status.PENDING_APPROVAL


def test_it_forbids_approving_ones_own_opinion(world) -> None:
    head = world.user("540528", "dept_head")
    case = world.to("under_review")
    actions.submit_opinion(case, acting_user=head, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                           reasoning="建议救助。", proposed_amount=Decimal("5000"))
    # The head's own step is left out of the route: the deputy chief decides.
    assert [s.role for s in case.approval_steps.all()] == ["deputy_chief"]
    with pytest.raises(PermissionDenied):
        actions.decide_grant(case, acting_user=head, amount=Decimal("5000"), reasons="同意。")
    actions.decide_grant(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal("5000"),
                         reasons="同意。")
    assert case.status == Status.GRANTED


def test_it_requires_every_refusal_ground_checked(world) -> None:
    case = world.to("under_review")
    grounds = {k: v for k, v in GROUNDS_NONE.items() if k != "X3"}
    with pytest.raises(actions.CaseActionError, match="X3"):
        actions.submit_opinion(case, acting_user=world.user("540528", "kongshen"), category="E1", grounds=grounds,
                               recommendation="grant", reasoning="r", proposed_amount=Decimal("100"))


def test_it_requires_a_justification_to_aid_despite_a_ground(world) -> None:
    case = world.to("under_review")
    grounds = dict(GROUNDS_NONE)
    grounds["X1"] = {"present": True, "note": ""}
    with pytest.raises(actions.CaseActionError, match="X1"):
        actions.submit_opinion(case, acting_user=world.user("540528", "kongshen"), category="E1", grounds=grounds,
                               recommendation="grant", reasoning="r", proposed_amount=Decimal("100"))
    grounds["X1"] = {"present": True, "note": "过错轻微，且因案致贫，仍建议救助。"}
    opinion = actions.submit_opinion(case, acting_user=world.user("540528", "kongshen"), category="E1",
                                     grounds=grounds, recommendation="grant", reasoning="r",
                                     proposed_amount=Decimal("100"))
    assert opinion.grounds_present == ["X1"]


def test_it_refuses_with_reasons_and_closes_after_service(world) -> None:
    case = world.to("under_review")
    h, a = world.user("540528", "kongshen"), world.user("540528", "dept_head")
    actions.submit_opinion(case, acting_user=h, category="E6", grounds=GROUNDS_NONE, recommendation="refuse",
                           reasoning="已获赔偿。")
    actions.approve_step(case, acting_user=a, comment="同意不予救助。")
    d = world.user("540528", "deputy_chief")
    with pytest.raises(actions.CaseActionError, match="理由"):
        actions.decide_refuse(case, acting_user=d, reasons="  ")
    actions.decide_refuse(case, acting_user=d, reasons="已获足额赔偿，不予救助。", grounds=["X6"])
    actions.serve_decision(case, acting_user=h, method="direct", recipient="本人")
    with pytest.raises(actions.InvalidTransition):
        actions.record_funds(case, acting_user=h)
    actions.close(case, acting_user=h, summary="已释法说理。")
    case.refresh_from_db()
    assert (case.status, case.decision, case.decided_amount) == (Status.CLOSED, "refuse", None)


def test_it_returns_an_opinion_for_revision(world) -> None:
    case = world.to("pending_approval")
    actions.return_opinion(case, acting_user=world.user("540528", "dept_head"), comments="请补充走访记录。")
    assert case.status == Status.UNDER_REVIEW
    assert case.events.get(action="return_opinion").note == "请补充走访记录。"


def test_it_does_not_pay_more_than_decided(world) -> None:
    from jiuzhu.funds import actions as funds

    case = world.to("awaiting_payment", amount="8000")
    with pytest.raises(funds.FundsError, match="8,000.00"):
        funds.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                plan=[(Decimal("8000.01"), clock.today())], payee_kind="applicant",
                                payee_name="本人", bank_name="农行", account="62284800000001")
    assert not case.payments.exists()
    assert "record_payment" not in {m.name for m in next_moves(world.user("540528", "kongshen"), case)}


def test_it_grants_advance_aid_first_and_completes_the_formalities_afterwards(world) -> None:
    case = world.clue()
    h = world.user("540528", "kongshen")
    actions.request_advance(case, acting_user=h, amount=Decimal("6000"), urgency="伤情危重。")
    with pytest.raises(PermissionDenied):
        actions.approve_advance(case, acting_user=world.user("540528", "dept_head"), amount=Decimal("6000"))
    actions.approve_advance(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal("6000"),
                            bank_name="中国农业银行", account="6228480000000000009")
    # Approved and committed on the budget; finance pays it through funds (nothing is paid yet).
    assert case.status == Status.ADVANCE_GRANTED and case.paid_amount == 0
    advance = case.payments.get()
    assert (advance.is_advance, advance.amount, advance.status) == (True, Decimal("6000"), "scheduled")
    assert advance.budget.committed == Decimal("6000")
    actions.complete_formalities(case, acting_user=h, form="oral")
    assert case.status == Status.UNDER_REVIEW
    assert case.deadlines.get(kind=Deadline.Kind.DECISION, completed_on__isnull=True)
    actions.submit_opinion(case, acting_user=h, category="E2", grounds=GROUNDS_NONE, recommendation="grant",
                           reasoning="r", proposed_amount=Decimal("5000"))
    actions.approve_step(case, acting_user=world.user("540528", "dept_head"))
    with pytest.raises(actions.CaseActionError, match="先行"):
        actions.decide_grant(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal("5000"),
                             reasons="r")


def test_it_refuses_dates_in_the_future_or_before_the_previous_step(world) -> None:
    case = world.to("notified")
    h = world.user("540528", "kongshen")
    with pytest.raises(actions.CaseActionError, match="晚于今天"):
        actions.register_application(case, acting_user=h, form="written", on=clock.today() + dt.timedelta(days=1))
    with pytest.raises(actions.CaseActionError, match="早于"):
        actions.register_application(case, acting_user=h, form="written", on=case.raised_on - dt.timedelta(days=1))


def test_it_requires_a_record_for_an_oral_application(world) -> None:
    case = world.to("notified")
    with pytest.raises(actions.CaseActionError, match="笔录"):
        actions.register_application(case, acting_user=world.user("540528", "kongshen"), form="oral")


# Property: whatever sequence of actions people attempt, the case only ever takes allowed moves, and a
# refused attempt leaves the state and the event log untouched.
ATTEMPTS = ["notify_right", "register_application", "request_supplement", "receive_supplement", "accept",
            "start_review", "submit_opinion", "approve_step", "return_opinion", "decide_grant", "decide_refuse", "serve_decision",
            "record_funds", "close", "archive", "request_advance", "approve_advance",
            "complete_formalities"]


def _attempt(world, case, name):  # type: ignore[no-untyped-def]
    h, a, d = (world.user("540528", r) for r in ("kongshen", "dept_head", "deputy_chief"))
    calls = {
        "notify_right": lambda: actions.notify_right(case, acting_user=h, manner="oral"),
        "register_application": lambda: actions.register_application(case, acting_user=h, form="written"),
        "request_supplement": lambda: actions.request_supplement(case, acting_user=h, missing="证明"),
        "receive_supplement": lambda: actions.receive_supplement(case, acting_user=h),
        "accept": lambda: actions.accept(case, acting_user=h),
        "start_review": lambda: actions.start_review(case, acting_user=h),
        "submit_opinion": lambda: actions.submit_opinion(case, acting_user=h, category="E1", grounds=GROUNDS_NONE,
                                                         recommendation="grant", reasoning="r",
                                                         proposed_amount=Decimal("3000")),
        "approve_step": lambda: actions.approve_step(case, acting_user=a, comment="同意"),
        "return_opinion": lambda: actions.return_opinion(case, acting_user=a, comments="补充"),
        "decide_grant": lambda: actions.decide_grant(case, acting_user=d, amount=Decimal("3000"), reasons="r"),
        "decide_refuse": lambda: actions.decide_refuse(case, acting_user=d, reasons="r"),
        "serve_decision": lambda: actions.serve_decision(case, acting_user=h, method="direct", recipient="本人"),
        "record_funds": lambda: actions.record_funds(case, acting_user=h),
        "close": lambda: actions.close(case, acting_user=h, summary="s"),
        "archive": lambda: actions.archive(case, acting_user=h, archive_number="A"),
        "request_advance": lambda: actions.request_advance(case, acting_user=h, amount=Decimal("1000"), urgency="u"),
        "approve_advance": lambda: actions.approve_advance(case, acting_user=d, amount=Decimal("1000"),
                                                           bank_name="农行", account="6228480000000000009"),
        "complete_formalities": lambda: actions.complete_formalities(case, acting_user=h, form="written"),
    }
    calls[name]()


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ATTEMPTS), min_size=1, max_size=25))
def test_any_sequence_of_attempts_only_takes_allowed_moves(world, names) -> None:
    case = world.clue()
    for name in names:
        before = AidCase.objects.get(pk=case.pk).status
        n_events = CaseEvent.objects.filter(case=case).count()
        try:
            _attempt(world, case, name)
        except (actions.CaseActionError, PermissionDenied):
            assert AidCase.objects.get(pk=case.pk).status == before
            assert CaseEvent.objects.filter(case=case).count() == n_events
            continue
        after = AidCase.objects.get(pk=case.pk).status
        assert before in MOVES[name].sources
        assert after in MOVES[name].targets or (not MOVES[name].targets and after == before)
        if not MOVES[name].targets:
            continue
        last = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.TRANSITION).latest("at", "pk")
        assert (last.action, last.old_status, last.new_status) == (name, before, after)
    stored = AidCase.objects.get(pk=case.pk)
    assert stored.paid_amount <= (stored.decided_amount or stored.advance_amount or Decimal(0))
