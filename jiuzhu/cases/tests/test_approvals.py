"""Approval routes: amount, cap, separation of duties, collective decisions, one aid per person per case."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, ApprovalStep, Status
from jiuzhu.demo.loader import GROUNDS_NONE, approve_route
from jiuzhu.lib import clock
from jiuzhu.rules.amount import cap_for

MEETING = {"attendees": "检察长、副检察长", "minutes": "同意。"}


def _opinion(world, case, amount, reason=""):  # type: ignore[no-untyped-def]
    return actions.submit_opinion(case, acting_user=world.user("540528", "kongshen"), category="E1",
                                  grounds=GROUNDS_NONE, recommendation="grant", reasoning="建议救助。",
                                  proposed_amount=Decimal(amount), exceed_cap_reason=reason)


def test_it_routes_small_amounts_to_the_head_and_the_deputy(world) -> None:
    case = world.to("under_review")
    _opinion(world, case, "9999.99")
    assert [s.label for s in case.approval_steps.all()] == ["部门负责人", "分管副检察长"]
    assert case.awaiting_role == "dept_head"


def test_it_adds_the_collective_decision_from_the_threshold(world) -> None:
    case = world.to("under_review")
    _opinion(world, case, "10000")
    assert [s.role for s in case.approval_steps.all()] == ["dept_head", "deputy_chief", "collective"]


def test_it_needs_the_meeting_record_for_a_collective_decision(world) -> None:
    case = world.to("under_review")
    _opinion(world, case, "20000")
    actions.approve_step(case, acting_user=world.user("540528", "dept_head"))
    actions.approve_step(case, acting_user=world.user("540528", "deputy_chief"))
    chief = world.user("540528", "chief")
    with pytest.raises(actions.CaseActionError, match="会议"):
        actions.decide_grant(case, acting_user=chief, amount=Decimal("20000"), reasons="同意。")
    actions.decide_grant(case, acting_user=chief, amount=Decimal("20000"), reasons="同意。",
                         meeting={**MEETING, "meeting_date": clock.today()})
    step = case.approval_steps.get(role="collective")
    assert step.status == "approved" and step.minutes == "同意。" and step.meeting_date == clock.today()


def test_it_keeps_the_order_of_the_route(world) -> None:
    case = world.to("under_review")
    _opinion(world, case, "5000")
    with pytest.raises(actions.CaseActionError, match="部门负责人"):
        actions.decide_grant(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal("5000"),
                             reasons="同意。")
    with pytest.raises(PermissionDenied, match="部门负责人"):
        actions.approve_step(case, acting_user=world.user("540528", "deputy_chief"))
    assert case.approval_steps.get(status="pending").role == "dept_head"


def test_the_proposer_cannot_approve_by_a_crafted_post(world, client) -> None:
    head = world.user("540528", "dept_head")
    case = world.to("under_review")
    actions.submit_opinion(case, acting_user=head, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                           reasoning="r", proposed_amount=Decimal("5000"))
    client.force_login(head)
    for action in ("decide_grant", "approve_step"):
        response = client.post(f"/cases/{case.pk}/{action}/", {"amount": "5000", "reasons": "同意", "comment": "同意"})
        assert response.status_code in (400, 403)
    client.force_login(world.user("540528", "kongshen"))
    assert client.post(f"/cases/{case.pk}/decide_grant/", {"amount": "5000", "reasons": "同意"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL and case.decided_amount is None


def test_it_returns_the_opinion_and_a_new_one_opens_a_new_route(world) -> None:
    case = world.to("under_review")
    first = _opinion(world, case, "5000")
    actions.return_opinion(case, acting_user=world.user("540528", "dept_head"), comments="请补充走访。")
    assert case.status == Status.UNDER_REVIEW and case.awaiting_role == ""
    assert list(first.steps.values_list("status", flat=True)) == ["returned", "cancelled"]
    second = _opinion(world, case, "6000")
    assert list(second.steps.values_list("status", flat=True)) == ["pending", "waiting"]


def test_it_refuses_an_amount_above_the_cap_without_reasons(world) -> None:
    case = world.to("under_review")
    cap = cap_for(case.handling_org, clock.today()).effective_cap_yuan
    with pytest.raises(actions.CaseActionError, match="突破限额"):
        _opinion(world, case, str(cap + Decimal("0.01")))
    assert case.opinions.count() == 0 and case.status == Status.UNDER_REVIEW


def test_it_refuses_a_decision_above_the_cap_on_an_ordinary_opinion(world) -> None:
    case = world.to("under_review")
    cap = cap_for(case.handling_org, clock.today()).effective_cap_yuan
    _opinion(world, case, str(cap))
    with pytest.raises(actions.CaseActionError, match="突破限额"):
        approve_route(world.demo, case, amount=cap + 1)
    assert AidCase.objects.get(pk=case.pk).status == Status.PENDING_APPROVAL


def test_it_never_exceeds_what_a_court_would_award(world) -> None:
    case = world.to("under_review")
    with pytest.raises(actions.CaseActionError, match="判决"):
        actions.submit_opinion(case, acting_user=world.user("540528", "kongshen"), category="E1",
                               grounds=GROUNDS_NONE, recommendation="grant", reasoning="r",
                               proposed_amount=Decimal("30000"), calculation={"court_damages_yuan": Decimal("20000")})


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(factor=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2"), places=2),
       with_reason=st.booleans())
def test_above_the_cap_never_reaches_a_grant_without_reasons_and_higher_approval(world, factor, with_reason) -> None:
    case = world.to("under_review")
    cap = cap_for(case.handling_org, clock.today()).effective_cap_yuan
    amount = (cap * factor).quantize(Decimal("0.01"))
    try:
        _opinion(world, case, str(amount), reason="损失特别重大，生活特别困难。" if with_reason else "")
        approve_route(world.demo, case, amount=amount)
    except actions.CaseActionError:
        assert amount > cap and not with_reason
        assert AidCase.objects.get(pk=case.pk).status == Status.UNDER_REVIEW
        return
    case.refresh_from_db()
    assert case.status == Status.GRANTED and case.decided_amount == amount
    opinion = case.opinions.get()
    roles = list(opinion.steps.filter(status="approved").values_list("role", flat=True))
    if amount > cap:
        assert opinion.over_cap and opinion.exceed_cap_reason
        assert "chief" in roles and roles[-1] == "collective"
    else:
        assert not opinion.over_cap and "chief" not in roles


def test_it_catches_a_second_application_for_the_same_case_at_another_county(world) -> None:
    person = world.person("540528")
    first = world.to("granted", "540528", person=person, original_case_number="加检刑诉〔2026〕7号")
    second = world.to("under_review", "540527", person=dict(person), original_case_number="加检刑诉〔2026〕7号")
    assert second.applicant_id == first.applicant_id  # the ID number is the identity
    opinion = actions.submit_opinion(second, acting_user=world.user("540527", "kongshen"), category="E1",
                                     grounds=GROUNDS_NONE, recommendation="grant", reasoning="r",
                                     proposed_amount=Decimal("5000"))
    assert [h["number"] for h in opinion.duplicates if h["blocking"]] == [first.number]
    actions.approve_step(second, acting_user=world.user("540527", "dept_head"))
    deputy = world.user("540527", "deputy_chief")
    with pytest.raises(actions.CaseActionError, match="一案一人只能救助一次"):
        actions.decide_grant(second, acting_user=deputy, amount=Decimal("5000"), reasons="同意。")
    assert AidCase.objects.get(pk=second.pk).status == Status.PENDING_APPROVAL
    actions.decide_grant(second, acting_user=deputy, amount=Decimal("5000"), reasons="同意。",
                         duplicate_override="首次救助仅为先行医疗费用，经集体研究补足。")
    event = second.events.get(action="decide_grant")
    assert event.data["duplicate_override"].startswith("首次救助") and event.data["duplicates"] == [first.number]


def test_it_does_not_block_the_same_person_in_another_case(world) -> None:
    person = world.person("540528")
    world.to("granted", "540528", person=person, original_case_number="案A")
    other = world.to("under_review", "540528", person=dict(person), original_case_number="案B")
    opinion = _opinion(world, other, "5000")
    assert opinion.duplicates and not any(h["blocking"] for h in opinion.duplicates)
    approve_route(world.demo, other, amount=Decimal("5000"))
    assert other.status == Status.GRANTED


def test_the_approvers_worklist_follows_the_current_step(world, client) -> None:
    case = world.to("under_review")
    _opinion(world, case, "5000")
    client.force_login(world.user("540528", "deputy_chief"))
    assert case.number not in client.get("/?view=to_approve").content.decode()
    actions.approve_step(case, acting_user=world.user("540528", "dept_head"))
    assert case.number in client.get("/?view=to_approve").content.decode()
    assert ApprovalStep.objects.get(case=case, status="pending").role == "deputy_chief"


def test_the_calculator_explains_the_amount_and_changes_nothing(world, client) -> None:
    case = world.to("under_review")
    client.force_login(world.user("540528", "kongshen"))
    response = client.post(f"/cases/{case.pk}/submit_opinion/", {
        "calculate": "1", "proposed_amount": "999999", "harm_yuan": "80000", "compensation_received_yuan": "20000",
        "fault_percent": "10", "family_monthly_income_yuan": "1500", "household_size": "3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "尚未弥补的损失60000.00元" in html and "54000.00元" in html  # 60,000 less 10 % fault
    assert "突破限额" in html and "检察长" in html
    assert 'value="80000"' in html  # the factors stay in the form
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW and not case.opinions.exists()


def test_the_calculator_reports_bad_factors_in_chinese(world, client) -> None:
    case = world.to("under_review")
    client.force_login(world.user("540528", "kongshen"))
    html = client.post(f"/cases/{case.pk}/submit_opinion/", {"calculate": "1", "fault_percent": "150"}).content.decode()
    assert "申请人过错比例" in html


def test_the_calculator_names_the_living_cost_factor_with_one_term(world, client) -> None:
    """Issue 13: the input said 当地最低生活保障标准 (the 低保 line) while the result said 当地基本生活费用; the legal
    factor is the minimum cost of basic local living (domain.md §5): one term, in input and result."""
    case = world.to("under_review")
    client.force_login(world.user("540528", "kongshen"))
    html = client.post(f"/cases/{case.pk}/submit_opinion/", {
        "calculate": "1", "family_monthly_income_yuan": "1500", "household_size": "3",
        "local_living_cost_yuan": "900"}).content.decode()
    assert "当地基本生活费用（元/人·月）" in html  # the input's label
    assert "人均500.00元，低于当地基本生活费用900.00元" in html  # the result
    assert "最低生活保障标准" not in html
