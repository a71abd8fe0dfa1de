"""The national benchmark's data set, small (PostgreSQL only): query counts and the plans' named indexes.

bench/national.py generates 20,000 cases over 3,132 procuratorates with set-based SQL in the test
database; this asserts what holds at any size (times are the benchmark's business, not CI's): the
worklist's queries do not change from the first page to a deep one, the case page and the searches
stay under 20 queries, and a county's worklist is one range of case_worklist_org_due_idx (no
sequential scan of the case table).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

pytestmark = pytest.mark.django_db

CASES = 20_000


@pytest.fixture
def national(settings):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the national data set is generated with PostgreSQL's SQL (set DATABASE_URL=postgres://…)")
    import national as bench

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    start = time.perf_counter()
    bench.generate(CASES)
    assert time.perf_counter() - start < 120  # ~20 s here; the full million by hand (CONTRIBUTING.md)
    who = bench.bench_users()
    clients = {}
    for name, user in who["users"].items():
        clients[name] = Client()
        clients[name].force_login(user)
    return bench, who, clients


def _run(client: Client, url: str, data: dict | None = None, *, post: bool = False) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as q:
        response = client.post(url, data) if post else client.get(url, data)
        assert response.status_code == 200
    return response.content.decode(), [x["sql"] for x in q.captured_queries]


def _next(html: str) -> str:
    found = re.search(r'href="\?([^"]*)"[^>]*>下一页', html)
    assert found, "no 下一页 link"
    return "/?" + found.group(1).replace("&amp;", "&")


def _main(sqls: list[str]) -> str:
    """The worklist's page query: the one SELECT of cases ordered by the deadline with a LIMIT."""
    return next(s for s in sqls if s.startswith('SELECT "cases_aidcase"."id"') and "ORDER BY" in s
                and '"next_due" ASC NULLS LAST' in s and "LIMIT 51" in s)


def _plan(sql: str) -> str:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


def test_the_national_data_set_pages_deep_in_the_queries_of_the_first_page(national) -> None:
    bench, who, clients = national
    for name, url in [("county", "/?view=all"), ("city", "/?view=all"), ("province", "/?view=all&group=妇女")]:
        html, first = _run(clients[name], url)
        assert "OFFSET" not in " ".join(first)
        url2, steps = url, 0
        while steps < 10 and "下一页" in html:
            html, deep = _run(clients[name], url2 := _next(html))
            steps += 1
        assert steps >= 1 and "after=" in url2 and "OFFSET" not in " ".join(deep)
        assert len(deep) <= len(first) + 2, (name, len(first), len(deep))  # two more index ranges at most
        assert not any(re.search(r"SELECT COUNT\(\*\) AS \"__count\" FROM \"cases_aidcase\"", s) for s in deep)


def test_a_countys_worklist_is_one_range_of_its_named_index(national) -> None:
    bench, who, clients = national
    for url, index in [("/", "cases_aidcase_org_status_idx"), ("/?view=all", "case_worklist_org_due_idx")]:
        html, sqls = _run(clients["county"], url)
        plan = _plan(_main(sqls))
        # The open cases: the few rows of the (procuratorate, state) index, sorted; all: one ordered range.
        assert index in plan or "case_worklist_org_due_idx" in plan, plan  # (the FK has no index of its own)
        assert "Seq Scan on cases_aidcase" not in plan, plan
    html, sqls = _run(clients["county"], "/?view=all")
    html, deep = _run(clients["county"], _next(html))
    plan = _plan(next(s for s in deep if s.startswith('SELECT "cases_aidcase"."id"') and "LIMIT 51" in s))
    assert "case_worklist_org_due_idx" in plan and "Seq Scan on cases_aidcase" not in plan, plan


def test_the_case_page_and_the_searches_run_a_bounded_number_of_queries(national) -> None:
    bench, who, clients = national
    from jiuzhu.cases.models import AidCase
    from jiuzhu.people.idcard import normalise

    county = who["orgs"]["county"]
    for status in ("follow_up", "pending_approval", "archived"):
        case = AidCase.objects.filter(handling_org=county, status=status).first()
        if case is not None:
            html, sqls = _run(clients["county"], f"/cases/{case.pk}/")
            # 12 of the case's own (session, user, memberships, the case with its support plan and custody
            # agreement, 8 prefetches), the panels of funds (2), documents (1) and support (3-4): the documents
            # panel reads the approval route from the page's prefetch (issue 15: 26 before, in 回访).
            assert len(sqls) < 20, (status, len(sqls), "\n".join(s[:120] for s in sqls))
    with connection.cursor() as cur:
        cur.execute(f"SELECT {bench.id_number_sql('id')} FROM people_person WHERE id = {int(case.applicant_id)}")
        number = normalise(cur.fetchone()[0])
    html, sqls = _run(clients["province"], "/search/", {"q": case.applicant.name}, post=True)
    assert len(sqls) < 20
    html, sqls = _run(clients["province"], "/search/", {"q": number}, post=True)
    assert len(sqls) < 20 and case.number in html  # the blind index computed in SQL is the application's


def test_a_search_by_name_finds_its_matches_through_the_trigram_indexes(national) -> None:
    bench, who, clients = national
    from jiuzhu.cases.models import AidCase

    name = next(c.applicant.name for c in AidCase.objects.select_related("applicant")
                .filter(handling_org=who["orgs"]["county"])[:50] if len(c.applicant.name) >= 3)  # a trigram
    html, sqls = _run(clients["province"], "/search/", {"q": name}, post=True)
    assert "找到 0 件" not in html
    union = next(s for s in sqls if " UNION " in s and "LIKE" in s)
    plan = _plan(union)
    for index in ("person_name_trgm_idx", "case_number_trgm_idx"):
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "Seq Scan on people_person" not in plan and "Seq Scan on cases_aidcase" not in plan, plan
    main = next(s for s in sqls if s.startswith('SELECT "cases_aidcase"."id"') and "LIMIT 200" in s)
    assert " UNION " not in main and "LIKE" not in main  # the scope filters the matched ids, by primary key
    assert "Seq Scan on cases_aidcase" not in _plan(main)
