"""The worklist's support panel counts each list up to a cap ("超过 N") in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from jiuzhu.lib import clock
from jiuzhu.support import actions, queries
from jiuzhu.support.models import Visit

pytestmark = pytest.mark.django_db


def _overdue_visits(world, n: int):  # type: ignore[no-untyped-def]
    for _ in range(n):
        actions.schedule_visits(world.to("paid", "540527"), acting_user=None)
    return clock.today() + dt.timedelta(days=400)  # every planned visit (1, 6, 12 months) is overdue then


def test_each_list_is_counted_up_to_the_cap_in_its_order(world) -> None:
    later = _overdue_visits(world, 2)
    user = world.user("540527", "kongshen")
    with clock.travel(later):
        qs = queries.overdue_visits(user)
        everything = list(qs)
        assert len(everything) == 6
        for cap in (0, 1, 5, 6, 7, 100):
            for shown in (1, 3, 20):
                got = queries.first_and_count(qs, shown, cap)
                assert got.count == min(6, cap) and got.more == (6 > cap), (cap, shown)
                assert [v.pk for v in got.rows] == [v.pk for v in everything][:min(shown, cap + 1)]
                assert all(v.case.handling_org_id for v in got.rows)  # the case came with the row (select_related)


def test_the_panel_says_more_than_the_cap_and_the_exact_count_below_it(world, client, monkeypatch) -> None:
    later = _overdue_visits(world, 1)
    client.force_login(world.user("540527", "kongshen"))
    with clock.travel(later):
        assert "逾期未回访（3）" in client.get("/").content.decode()
        monkeypatch.setattr(queries, "PANEL_CAP", 2)
        html = client.get("/").content.decode()
        assert "逾期未回访（超过 2）" in html and "逾期未回访（3）" not in html
        assert Visit.objects.filter(held_on__isnull=True).count() == 3  # reading changed nothing
        client.force_login(world.user("540528", "kongshen"))  # another county sees none of them
        assert "逾期未回访" not in client.get("/").content.decode()
