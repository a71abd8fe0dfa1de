"""The worklist pages by keyset (after=/before= a position), never by OFFSET, and counts up to a cap."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.cases import queries


@pytest.fixture
def jiacha(world, client):  # type: ignore[no-untyped-def]
    client.force_login(world.user("540528", "kongshen"))
    return client


def _cases(world, n: int = 7) -> None:  # type: ignore[no-untyped-def]
    # Open cases (a deadline each) and closed ones (none): both halves of the order.
    for status in ["accepted", "archived", "under_review", "clue", "archived", "pending_approval", "archived"][:n]:
        world.to(status, "540528")


def test_it_walks_forward_and_back_through_every_case_once_in_order(world) -> None:
    _cases(world)
    user = world.user("540528", "kongshen")
    qs = queries.worklist(user, view="all")
    expected = [c.pk for c in qs]
    assert len(expected) == 7
    seen, page = [], queries.worklist_page(qs, size=2)
    assert page.prev_before == ""
    pages = [page]
    while True:
        seen += [c.pk for c in page]
        if not page.next_after:
            break
        page = queries.worklist_page(qs, after=page.next_after, size=2)
        pages.append(page)
    assert seen == expected and len(pages) == 4
    back = []
    while page.prev_before:
        page = queries.worklist_page(qs, before=page.prev_before, size=2)
        back = [c.pk for c in page] + back
    assert back == expected[:6] and page.prev_before == ""  # the first page again, and nothing before it


def test_a_deep_page_runs_the_queries_of_the_first(world, jiacha) -> None:
    _cases(world)
    with CaptureQueriesContext(connection) as first:
        html = jiacha.get("/?view=all").content.decode()
    assert "共 7 件" in html and "下一页" not in html  # one page of 50
    user = world.user("540528", "kongshen")
    last = queries.worklist_page(queries.worklist(user, view="all"), size=3)
    with CaptureQueriesContext(connection) as deep:
        html = jiacha.get(f"/?view=all&after={last.next_after}").content.decode()
    assert "上一页" in html
    assert len(deep.captured_queries) <= len(first.captured_queries) + 2  # at most two more index ranges
    assert not any(re.search(r"\bOFFSET\b", q["sql"]) for q in deep.captured_queries + first.captured_queries)


def test_a_position_it_did_not_write_shows_the_first_page_with_a_message(world, jiacha) -> None:
    _cases(world, 2)
    for bad in ["x", "2026-13-01_2026-01-01_1", "-_2026-01-01_1' OR 1=1", "9" * 40]:
        response = jiacha.get("/", {"view": "all", "after": bad})
        html = response.content.decode()
        assert response.status_code == 200 and "翻页位置无效，已回到第一页。" in html and "共 2 件" in html


def test_it_counts_up_to_the_cap_and_says_so_beyond(world, jiacha, monkeypatch) -> None:
    _cases(world, 3)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    html = jiacha.get("/?view=all").content.decode()
    assert "超过 2 件" in html and "共 3 件" not in html


def test_a_county_that_pays_towards_a_neighbours_case_sees_it_and_a_third_does_not(world, client) -> None:
    from decimal import Decimal

    from jiuzhu.cases.access import get_case_for_user
    from jiuzhu.demo.loader import approve_route
    from jiuzhu.funds.models import Contribution
    from jiuzhu.funds.tests.helpers import fund

    fund(world, "540528")
    fund(world, "540527")
    case = world.to("pending_approval", amount="20000")
    approve_route(world.demo, case, amount=Decimal("20000"), contributions=[
        (world.orgs["540528"], Decimal("12000")), (world.orgs["540527"], Decimal("8000"))])
    assert {c.org.code: c.is_lead for c in Contribution.objects.filter(case=case)} == {"540528": True, "540527": False}
    neighbour = world.user("540527", "kongshen")
    assert case.pk in [c.pk for c in queries.worklist_page(queries.worklist(neighbour, view="all"))]
    assert get_case_for_user(neighbour, case.pk).pk == case.pk
    client.force_login(neighbour)
    assert case.number in client.get("/?view=all").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    other = next(code for code in world.orgs if code not in ("540528", "540527", "540500", "540000")
                 and world.orgs[code].level == "county")
    client.force_login(world.user(other, "kongshen"))
    assert case.number not in client.get("/?view=all").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
