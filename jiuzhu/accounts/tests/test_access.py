"""The one scoping function: deny by default, 404 outside jurisdiction, 403 when read-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jiuzhu.accounts.models import Membership, User
from jiuzhu.cases import actions
from jiuzhu.cases.access import cases_visible_to, get_case_for_user


@pytest.fixture
def cases(world):  # type: ignore[no-untyped-def]
    return {"jiacha": world.to("accepted", "540528"), "luozha": world.to("accepted", "540527"),
            "city": world.to("accepted", "540500")}


def test_it_shows_a_county_only_its_own_cases(world, cases) -> None:
    visible = set(cases_visible_to(world.user("540528", "kongshen")).values_list("pk", flat=True))
    assert visible == {cases["jiacha"].pk}


def test_it_shows_the_city_its_counties_cases(world, cases) -> None:
    visible = set(cases_visible_to(world.user("540500", "kongshen")).values_list("pk", flat=True))
    assert visible == {c.pk for c in cases.values()}


def test_it_shows_the_region_everything(world, cases) -> None:
    assert cases_visible_to(world.user("540000", "kongshen")).count() == 3


def test_it_hides_another_countys_case_as_not_found(world, cases) -> None:
    with pytest.raises(Http404):
        get_case_for_user(world.user("540527", "kongshen"), cases["jiacha"].pk)


def test_it_lets_the_upper_procuratorate_read_but_not_change(world, cases) -> None:
    city = world.user("540500", "kongshen")
    assert get_case_for_user(city, cases["jiacha"].pk).pk == cases["jiacha"].pk
    with pytest.raises(PermissionDenied):
        get_case_for_user(city, cases["jiacha"].pk, write=True)
    with pytest.raises(PermissionDenied):
        actions.start_review(cases["jiacha"], acting_user=city)


@pytest.mark.parametrize("role", ["stats", "admin"])
def test_it_shows_figures_roles_and_administrators_no_cases(world, cases, role) -> None:
    assert cases_visible_to(world.user("540500", role)).count() == 0


def test_it_denies_a_user_without_memberships(world, cases) -> None:
    nobody = User.objects.create_user("nobody", password="x-not-used-123")
    assert cases_visible_to(nobody).count() == 0
    with pytest.raises(Http404):
        get_case_for_user(nobody, cases["jiacha"].pk)


def test_it_ignores_inactive_memberships(world, cases) -> None:
    user = world.user("540528", "kongshen")
    Membership.objects.filter(user=user).update(is_active=False)
    user = User.objects.get(pk=user.pk)
    assert cases_visible_to(user).count() == 0


def test_it_shows_a_case_department_prosecutor_only_the_clues_they_raised(world) -> None:
    mine = world.clue("540528")
    other = actions.raise_clue(world.orgs["540528"], acting_user=world.user("540528", "kongshen"),
                               channel="walk_in", **world.person())
    prosecutor = world.user("540528", "case_prosecutor")
    assert list(cases_visible_to(prosecutor).values_list("pk", flat=True)) == [mine.pk]
    with pytest.raises(Http404):
        get_case_for_user(prosecutor, other.pk)
