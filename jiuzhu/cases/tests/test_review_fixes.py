"""Defects found by review, each with the test that would have caught it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import actions
from jiuzhu.cases.models import Status
from jiuzhu.cases.reveal import reveal
from jiuzhu.lib import clock


def test_another_county_cannot_read_or_change_a_shared_persons_contact_data(world, client) -> None:
    person = world.person("540528")
    jiacha = world.to("accepted", "540528", person=person)
    luozha = world.clue("540527", person={**person, "person_name": "张三", "phone": "13811112222"})
    assert luozha.applicant_id == jiacha.applicant_id
    jiacha.applicant.refresh_from_db()
    assert jiacha.applicant.phone == person["phone"]  # not overwritten by the second entry
    with pytest.raises(PermissionDenied):
        reveal(luozha.applicant, "phone", acting_user=world.user("540527", "kongshen"), reason="核对", case=luozha)
    with pytest.raises(actions.CaseActionError, match="其他检察院"):
        actions.update_applicant(luozha, acting_user=world.user("540527", "kongshen"), phone="13900000000")


def test_documents_and_materials_need_the_reveal_right(world, client) -> None:
    case = world.clue("540528")
    client.force_login(world.user("540528", "case_prosecutor"))
    assert client.get(f"/cases/{case.pk}/attachments/999/").status_code in (403, 404)


def test_the_case_department_follows_its_clue_only_until_the_application(world, client) -> None:
    case = world.to("notified")
    client.force_login(world.user("540528", "case_prosecutor"))
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    actions.register_application(case, acting_user=world.user("540528", "kongshen"), form="written")
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_a_form_for_a_step_the_user_cannot_take_is_refused(world, client) -> None:
    case = world.to("applied")
    client.force_login(world.user("540528", "kongshen"))
    assert client.get(f"/cases/{case.pk}/decide_grant/").status_code == 403
    assert client.get(f"/cases/{case.pk}/accept/").status_code == 200


def test_a_closed_case_is_not_changed(world) -> None:
    case = world.to("archived")
    kongshen = world.user("540528", "kongshen")
    with pytest.raises(actions.InvalidTransition):
        actions.update_applicant(case, acting_user=kongshen, phone="13900000000")
    with pytest.raises(actions.InvalidTransition):
        actions.add_party(case, acting_user=kongshen, role="victim", name="某某")
    with pytest.raises(actions.InvalidTransition):
        actions.assign_handler(case, acting_user=world.user("540528", "dept_head"), handler=kongshen)


def test_advance_aid_is_not_paid_twice(world) -> None:
    case = world.clue()
    h = world.user("540528", "kongshen")
    actions.request_advance(case, acting_user=h, amount=Decimal("8000"), urgency="危重。")
    actions.approve_advance(case, acting_user=world.user("540528", "deputy_chief"), amount=Decimal("8000"),
                            bank_name="中国农业银行", account="6228480000000000009")
    from jiuzhu.funds import actions as funds
    from jiuzhu.funds.tests.helpers import fund

    fund(world, budget="50000", allocated="10000")
    funds.pay(case.payments.get(), acting_user=world.user("540528", "finance"), bank_reference="B-ADV-8000")
    actions.complete_formalities(case, acting_user=h, form="oral")
    from jiuzhu.demo.loader import GROUNDS_NONE, approve_route

    actions.submit_opinion(case, acting_user=h, category="E2", grounds=GROUNDS_NONE, recommendation="grant",
                           reasoning="r", proposed_amount=Decimal("8000"))
    approve_route(world.demo, case, amount=Decimal("8000"))
    actions.serve_decision(case, acting_user=h, method="direct", recipient="本人")
    actions.record_funds(case, acting_user=h)  # nothing left to pay: the case is paid
    case.refresh_from_db()
    assert case.status == Status.PAID and case.paid_amount == Decimal("8000")
    with pytest.raises(funds.FundsError, match="应发放金额0.00元"):
        funds.schedule_payments(case, acting_user=h, plan=[(Decimal("8000"), clock.today())], payee_kind="applicant",
                                payee_name="本人", bank_name="农行", account="62284800000001")


def test_an_advance_request_can_be_refused(world) -> None:
    case = world.to("accepted")
    actions.request_advance(case, acting_user=world.user("540528", "kongshen"), amount=Decimal("5000"), urgency="u")
    actions.refuse_advance(case, acting_user=world.user("540528", "deputy_chief"), reasons="伤情稳定，不属于紧急情形。")
    assert case.status == Status.ACCEPTED and case.advance_amount is None


def test_a_supplement_deadline_ending_on_a_holiday_runs_to_the_next_working_day(world) -> None:
    with clock.travel(dt.date(2025, 3, 5)):
        case = world.to("applied")
        actions.request_supplement(case, acting_user=world.user("540528", "kongshen"), missing="证明")
    # 30 days from 5 Mar 2025 is Fri 4 Apr, 清明 (4–6 Apr): the period ends on Mon 7 Apr.
    assert case.deadlines.get(kind="supplement").due_on == dt.date(2025, 4, 7)


def test_impossible_dates_are_refused(world) -> None:
    case = world.to("under_review")
    with pytest.raises(actions.CaseActionError, match="早于"):
        actions.add_record(case, acting_user=world.user("540528", "kongshen"), kind="investigation",
                           held_on=dt.date(1900, 1, 1), content="x")


def test_bad_export_filters_and_huge_searches_get_a_message_not_a_500(world, client) -> None:
    client.force_login(world.user("540528", "kongshen"))
    assert client.get("/cases/export.xlsx?org=abc").status_code == 403
    response = client.post("/search/", {"q": "x" * 60000})
    assert response.status_code == 400 and "60" in response.content.decode()
    client.force_login(world.user("540500", "stats"))
    assert client.get("/cases/export.xlsx").status_code == 403


def test_an_id_search_keeps_the_number_out_of_urls_and_audits_it_masked(world, client) -> None:
    case = world.to("applied")
    client.force_login(world.user("540528", "kongshen"))
    html = client.post("/search/", {"q": case.applicant.id_number}).content.decode()
    assert case.number in html and case.applicant.id_number not in html
    entry = AuditEntry.objects.get(kind="search")
    assert entry.detail["searched"] == case.applicant.id_number_masked
