"""The search page in a browser (issue 15): a part of a party's name typed into the form finds its case, once,
through the UNION of the trigram-indexed lookups (cases.queries.search)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.cases import actions
from jiuzhu.cases.tests.test_browser import assert_page_draws_chinese, shot  # noqa: F401 (the fixture)
from jiuzhu.testing import browser_login as login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_part_of_a_name_typed_into_the_search_finds_the_case_once(page: Page, live_server, world,
                                                                    shot) -> None:  # noqa: F811
    case = world.clue(original_case_number="藏加检刑诉〔2026〕9号")
    h = world.user("540528", "kongshen")
    for name in ("次仁卓玛", "扎西卓玛"):
        actions.add_party(case, acting_user=h, role="victim", name=name, id_number=world.person()["id_number"])
    theirs = world.clue("540527")
    actions.add_party(theirs, acting_user=world.user("540527", "kongshen"), role="victim", name="拉姆卓玛",
                      id_number=world.person("540527")["id_number"])
    login(page, live_server.url, h)
    page.goto(live_server.url + "/search/")
    page.get_by_label("检索词").fill("卓玛")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("main")).to_contain_text("找到 1 件")
    expect(page.get_by_role("link", name=case.number, exact=True)).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(theirs.number)
    shot("search-by-name")
    assert_page_draws_chinese(page)
