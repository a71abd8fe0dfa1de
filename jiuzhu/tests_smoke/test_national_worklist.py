"""The worklist's support panel on the national data set (PostgreSQL only): capped counts and named indexes.

Beside test_national.py (same 20,000-case data set): on the worklist of a county, a city and a province no
statement counts the whole scope (every COUNT is over a LIMIT subquery), the overdue visits are read
through support_visit_overdue_idx (a county's: through its cases; never a sequential scan of the visit
table), and the priority cases are ranked by a probe of each case's tags (no GROUP BY).
"""

from __future__ import annotations

import re

import pytest

from jiuzhu.tests_smoke.test_national import _plan, _run, national  # noqa: F401 - the shared data set

pytestmark = pytest.mark.django_db


def _keys_of(sqls: list[str], table: str) -> str:
    """The panel's lean list query of TABLE: its keys in order, capped (LIMIT 101)."""
    return next(s for s in sqls if s.startswith(f'SELECT "{table}"."id" AS "pk" FROM "{table}"') and "LIMIT 101" in s)


def test_the_support_panel_counts_up_to_its_cap_through_named_indexes(national) -> None:  # noqa: F811
    bench, who, clients = national
    counts = {}
    for name in ("county", "city", "province"):
        html, sqls = _run(clients[name], "/?view=all")
        assert "逾期未回访" in html or name == "county"
        for s in sqls:
            if re.search(r"\bCOUNT\(", s):
                assert re.search(r"LIMIT \d+\) subquery", s), s  # counted up to a cap, never the scope
            assert "GROUP BY" not in s, s
        visits = _plan(_keys_of(sqls, "support_visit"))
        assert "Seq Scan on support_visit" not in visits, visits
        if name == "county":  # from the county's few cases (its index) to their visits
            assert "Seq Scan on cases_aidcase" not in visits, visits
        else:  # the overdue visits in date order, each case probed by key (200,000 cases: a nested loop,
            # stopped at the cap; at 20,000 the planner may hash the city's cases with the few open visits,
            # read through either named index of open visits, and which one is the planner's cost call)
            assert re.search(r"Index (Only )?Scan on support_visit_(overdue|due)_idx", visits), visits
        priority = _plan(_keys_of(sqls, "cases_aidcase"))
        assert "Seq Scan on cases_aidcase" not in priority and "cases_casegroup" in priority, priority
        counts[name] = len(sqls)
    # The same statements whatever the scope's size (a province's joint-case list is one more at most).
    assert max(counts.values()) - min(counts.values()) <= 1, counts
    html, sqls = _run(clients["province"], "/?view=all")
    if "逾期未回访（超过 100）" not in html:  # 20,000 cases: a province has fewer than 100 overdue visits
        assert re.search(r"逾期未回访（\d+）", html)
