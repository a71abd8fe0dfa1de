from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.cases.models import AidCase, Channel
from jiuzhu.lib import clock
from jiuzhu.ops.tasks import sweep
from jiuzhu.people.idcard import check_digit
from jiuzhu.support import actions
from jiuzhu.support.models import ScreeningList, ScreeningMatch, ScreeningRow

pytestmark = pytest.mark.django_db


def ids(numbers: list[int]) -> list[str]:
    out = []
    for n in numbers:
        first17 = f"540527{dt.date(1950, 1, 1) + dt.timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
        out.append(first17 + check_digit(first17))
    return out


def _import(world, source, numbers, name="名单"):  # type: ignore[no-untyped-def]
    rows = [(f"人员{n}", i, f"情况{n}") for n, i in zip(numbers, ids(numbers), strict=True)]
    return actions.import_screening_list(world.orgs["540527"], acting_user=world.user("540527", "kongshen"),
                                         source=source, name=name, rows=rows)


def test_screening_10000_rows_finds_exactly_the_people_on_both_lists_in_bounded_queries(world):
    rng = random.Random(5)
    pool = rng.sample(range(20_000_000), 19_000)
    hardship_n, victims_n = pool[:10_000], pool[9_000:]  # exactly 1,000 in both
    hardship = _import(world, "hardship", hardship_n, "民政低保名单")
    victims = _import(world, "victims", victims_n, "办案部门被害人名单")
    assert hardship.row_count == victims.row_count == 10_000
    with CaptureQueriesContext(connection) as q:
        found = actions.run_screening(hardship, victims, acting_user=world.user("540527", "kongshen"))
    assert found == 1000
    assert len(q) <= 12
    both = set(ids(hardship_n)) & set(ids(victims_n))
    matched = {m.hardship_row.id_number for m in ScreeningMatch.objects.select_related("hardship_row")}
    assert matched == both
    assert actions.run_screening(hardship, victims, acting_user=world.user("540527", "kongshen")) == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.integers(0, 60), max_size=25), st.sets(st.integers(0, 60), max_size=25))
def test_screening_matches_are_the_intersection(world, a, b):
    if not a or not b:
        return
    ScreeningList.objects.all().delete()
    h = _import(world, "hardship", sorted(a))
    v = _import(world, "victims", sorted(b))
    assert actions.run_screening(h, v, acting_user=world.user("540527", "kongshen")) == len(set(ids(sorted(a))) & set(ids(sorted(b))))


def test_a_bad_row_imports_nothing_and_names_the_row(world):
    rows = [("卓玛", ids([1])[0], ""), ("", ids([2])[0], ""), ("次仁", "540527199001011234", "")]
    with pytest.raises(ValidationError) as e:
        actions.import_screening_list(world.orgs["540527"], acting_user=world.user("540527", "kongshen"),
                                      source="hardship", name="名单", rows=rows)
    assert any(m.startswith("第3行 姓名") for m in e.value.messages)
    assert any(m.startswith("第4行 身份证号码") for m in e.value.messages)
    assert not ScreeningList.objects.exists() and not ScreeningRow.objects.exists()


def test_lists_are_purged_by_the_worker_after_the_retention_setting(world):
    lst = _import(world, "hardship", [1, 2, 3])
    with clock.travel(lst.purge_after):
        sweep()
        assert ScreeningRow.objects.filter(list=lst).count() == 3
    with clock.travel(lst.purge_after + dt.timedelta(days=1)):
        assert sweep()["lists_purged"] == 1
    lst.refresh_from_db()
    assert lst.purged_on and not ScreeningRow.objects.filter(list=lst).exists()


def test_a_match_turns_into_a_clue_with_its_source(world):
    h = _import(world, "hardship", [1, 2], "洛扎县民政局低保名单")
    v = _import(world, "victims", [2, 3])
    actions.run_screening(h, v, acting_user=world.user("540527", "kongshen"))
    match = ScreeningMatch.objects.get()
    case = actions.turn_into_clue(match, acting_user=world.user("540527", "kongshen"))
    assert case.channel == Channel.PARTNER and "洛扎县民政局低保名单" in case.source_detail
    assert case.applicant.id_number == ids([2])[0]
    with pytest.raises(ValidationError, match="已处理"):
        actions.turn_into_clue(match, acting_user=world.user("540527", "kongshen"))
    assert AidCase.objects.count() == 1
