"""Revealing a full personal-data value: capability, reason, audit row, and the case page around it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.reveal import reveal


@pytest.fixture
def case_and_data(world):  # type: ignore[no-untyped-def]
    """A 540528 clue and the clear personal data its applicant was registered with."""
    data = world.person("540528")
    case = world.clue("540528", person=data)
    return case, data


def reveal_url(case: Any, field: str = "id_number") -> str:
    return f"/cases/{case.pk}/people/{case.applicant_id}/reveal/{field}/"


def revealed_value(html: str) -> str:
    match = re.search(r'id="revealed"[^>]*>([^<]*)<', html)
    assert match, "no element with id=revealed"
    return match.group(1).strip()


# --- the action ----------------------------------------------------------------------------------


def test_it_reveals_the_id_number_and_records_who_why_and_what(world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    user = world.user("540528", "kongshen")
    value = reveal(case.applicant, "id_number", acting_user=user, reason="  核对申请人身份  ", case=case)
    assert value == data["id_number"]
    entry = AuditEntry.objects.get()
    assert entry.kind == AuditEntry.Kind.REVEAL == "reveal"
    assert entry.actor == user
    assert entry.field == "id_number"
    assert entry.reason == "核对申请人身份"
    assert entry.person == case.applicant
    assert entry.case == case


@pytest.mark.parametrize("field", ["phone", "address"])
def test_it_reveals_other_personal_data(world, case_and_data, field: str) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    value = reveal(case.applicant, field, acting_user=world.user("540528", "dept_head"), reason="联系申请人")
    assert value == data[field]
    assert AuditEntry.objects.get().field == field


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason_and_records_nothing_without_one(world, case_and_data, reason: str) -> None:  # type: ignore[no-untyped-def]
    case, _ = case_and_data
    with pytest.raises(ValidationError, match="请填写查看理由"):
        reveal(case.applicant, "id_number", acting_user=world.user("540528", "kongshen"), reason=reason)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("code", "role"), [("540500", "stats"), ("540528", "case_prosecutor"),
                                            ("540500", "admin")])
def test_it_refuses_users_without_the_reveal_capability(world, case_and_data, code: str, role: str) -> None:  # type: ignore[no-untyped-def]
    case, _ = case_and_data
    with pytest.raises(PermissionDenied):
        reveal(case.applicant, "id_number", acting_user=world.user(code, role), reason="想看看", case=case)
    assert not AuditEntry.objects.exists()


def test_it_refuses_to_reveal_a_person_outside_the_users_jurisdiction(world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, _ = case_and_data
    with pytest.raises(PermissionDenied):
        reveal(case.applicant, "id_number", acting_user=world.user("540527", "kongshen"), reason="核对", case=case)


@pytest.mark.parametrize("field", ["name", "id_number_bidx", "password", ""])
def test_it_refuses_an_unknown_field(world, case_and_data, field: str) -> None:  # type: ignore[no-untyped-def]
    case, _ = case_and_data
    with pytest.raises(ValidationError, match="该信息不能查看"):
        reveal(case.applicant, field, acting_user=world.user("540528", "kongshen"), reason="核对")
    assert not AuditEntry.objects.exists()


# --- the pages -----------------------------------------------------------------------------------


def test_it_shows_only_the_masked_id_number_on_the_case_page(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    client.force_login(world.user("540528", "kongshen"))
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    number = data["id_number"]
    assert number[:6] + "********" + number[-4:] in html
    assert number not in html
    assert number[6:14] not in html  # the birth date as it is written in the number
    assert data["phone"] not in html
    assert data["address"] not in html
    assert reveal_url(case) in html
    assert not AuditEntry.objects.exists()


def test_it_asks_for_a_reason_before_revealing(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    client.force_login(world.user("540528", "kongshen"))
    response = client.get(reveal_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<form" in html and 'name="reason"' in html
    assert 'id="revealed"' not in html
    assert data["id_number"] not in html
    assert not AuditEntry.objects.exists()


def test_it_reveals_the_full_id_number_after_a_reason_and_records_it(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    user = world.user("540528", "kongshen")
    client.force_login(user)
    response = client.post(reveal_url(case), {"reason": "核对申请人身份"})
    assert response.status_code == 200
    assert revealed_value(response.content.decode()) == data["id_number"]
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.actor, entry.field, entry.reason, entry.person, entry.case) == (
        "reveal", user, "id_number", "核对申请人身份", case.applicant, case)


def test_it_reveals_nothing_on_a_post_without_a_reason(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    client.force_login(world.user("540528", "kongshen"))
    response = client.post(reveal_url(case), {"reason": "   "})
    html = response.content.decode()
    assert 'id="revealed"' not in html
    assert data["id_number"] not in html
    assert "请填写查看理由" in html
    assert not AuditEntry.objects.exists()


def test_it_refuses_a_revealing_post_from_a_user_without_the_capability(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    client.force_login(world.user("540528", "case_prosecutor"))  # raised the clue: sees it, may not reveal
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    response = client.post(reveal_url(case), {"reason": "核对"})
    assert response.status_code == 403
    assert data["id_number"] not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_it_hides_another_countys_case_and_its_people(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    client.force_login(world.user("540527", "kongshen"))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(reveal_url(case)).status_code == 404
    response = client.post(reveal_url(case), {"reason": "核对"})
    assert response.status_code == 404
    assert data["id_number"] not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_it_returns_404_for_a_person_who_is_not_in_the_case(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, _ = case_and_data
    other = world.clue("540528")
    client.force_login(world.user("540528", "kongshen"))
    url = f"/cases/{case.pk}/people/{other.applicant_id}/reveal/id_number/"
    assert client.post(url, {"reason": "核对"}).status_code == 404
    assert client.post(reveal_url(case, "name"), {"reason": "核对"}).status_code == 404
    assert not AuditEntry.objects.exists()


def test_it_lets_the_city_read_its_counties_cases(client, world, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    user = world.user("540500", "kongshen")
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html
    assert data["id_number"] not in html
    assert data["id_number"][:6] + "********" + data["id_number"][-4:] in html


def test_it_requires_login_for_both_pages(client, case_and_data) -> None:  # type: ignore[no-untyped-def]
    case, data = case_and_data
    for url in (f"/cases/{case.pk}/", reveal_url(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]
    response = client.post(reveal_url(case), {"reason": "核对"})
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()
