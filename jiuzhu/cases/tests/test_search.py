"""The search by number, original case number and name (issue 15): one UNION of three lookups, each served by its
own trigram index on PostgreSQL (people 0002, cases 0014), filtered by the user's scope. These run on SQLite and
PostgreSQL alike; tests_smoke/test_national.py checks the plans on the national data set.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.cases import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def jiacha(world, client):  # type: ignore[no-untyped-def]
    client.force_login(world.user("540528", "kongshen"))
    return client


def _found(client, q: str) -> tuple[list[int], int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/search/", {"q": q})
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', response.content.decode())], len(ctx.captured_queries)


def test_it_finds_a_case_by_part_of_its_number_of_its_original_case_number_and_of_a_partys_name(world,
                                                                                                  jiacha) -> None:
    case = world.clue(original_case_number="藏加检刑诉〔2026〕17号")
    other = world.clue()
    victim = world.person()
    actions.add_party(case, acting_user=world.user("540528", "kongshen"), role="victim",
                      name="扎西次仁卓玛", id_number=victim["id_number"])
    assert _found(jiacha, case.number)[0] == [case.pk]
    assert _found(jiacha, "刑诉〔2026〕17")[0] == [case.pk]
    assert _found(jiacha, "次仁卓")[0] == [case.pk]  # the victim, not the applicant
    assert case.pk in _found(jiacha, case.applicant.name)[0] and other.pk not in _found(jiacha, case.applicant.name)[0]


def test_it_lists_a_case_once_when_several_of_its_parts_match(world, jiacha) -> None:
    case = world.clue(original_case_number="卓玛案")
    h = world.user("540528", "kongshen")
    for name in ("卓玛", "拉姆卓玛"):
        actions.add_party(case, acting_user=h, role="victim", name=name, id_number=world.person()["id_number"])
    found, _ = _found(jiacha, "卓玛")
    assert found.count(case.pk) == 1


def test_it_finds_nothing_outside_the_scope_and_nothing_for_a_miss(world, jiacha) -> None:
    theirs = world.clue("540527")
    assert _found(jiacha, theirs.number)[0] == []
    assert _found(jiacha, theirs.applicant.name)[0].count(theirs.pk) == 0
    assert _found(jiacha, "查无此人之名")[0] == []


def test_a_search_runs_as_many_queries_for_many_results_as_for_one(world, jiacha) -> None:
    one = world.clue(original_case_number="检索一号")
    _, few = _found(jiacha, "检索一号")
    for i in range(5):
        world.clue(original_case_number=f"检索{i}号", groups=["妇女", "老年人"])
    found, many = _found(jiacha, "检索")
    assert len(found) == 6 and one.pk in found
    assert many == few < 20


def test_any_part_of_the_name_finds_the_case(world, jiacha) -> None:
    case = world.clue()
    name = case.applicant.name

    @settings(max_examples=15, deadline=None)
    @given(start=st.integers(0, len(name) - 1), length=st.integers(1, len(name)))
    def check(start: int, length: int) -> None:
        assert case.pk in _found(jiacha, name[start:start + length])[0]

    check()
