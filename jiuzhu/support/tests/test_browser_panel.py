"""In Chromium: the worklist with its support panel for a county's procurator and the province's, counted
up to the cap ("超过 N" beyond it); Chinese drawn as glyphs, the screenshots under test-artifacts/worklist."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.lib import clock
from jiuzhu.support import queries
from jiuzhu.support.models import Visit
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1300, "height": 900}}


def test_the_worklist_and_its_support_panel_at_county_and_province(page: Page, live_server, world, pytestconfig,
                                                                   monkeypatch) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "worklist"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = live_server.url
    for code, group in (("540527", "妇女"), ("540527", "残疾人"), ("540528", "未成年人")):
        case = world.to("paid", code, groups=[group])
        # Paid cases have their visits planned (1, 6, 12 months on); one more, already overdue.
        Visit.objects.create(case=case, months_after=2, due_on=clock.today() - dt.timedelta(days=10))

    _login(page, base, world.user("540527", "kongshen"))
    page.goto(f"{base}/")
    panel = page.locator("#support-overdue")
    expect(panel).to_contain_text("逾期未回访（2）")
    expect(panel).to_contain_text("重点人群在办案件（2")
    expect(page.locator("#worklist tbody tr")).to_have_count(2)
    assert_cjk_renders(page)
    page.screenshot(path=folder / "01-county.png", full_page=True)

    page.context.clear_cookies()
    _login(page, base, world.user("540000", "kongshen"))
    page.goto(f"{base}/?view=all")
    expect(panel).to_contain_text("逾期未回访（3）")
    assert page.locator("#id_org option").count() > 3  # the province's procuratorates in the filter
    page.screenshot(path=folder / "02-province.png", full_page=True)
    monkeypatch.setattr(queries, "PANEL_CAP", 2)  # the live server runs in this process
    page.goto(f"{base}/?view=all")
    expect(panel).to_contain_text("逾期未回访（超过 2）")
    expect(page.locator("#overdue-visits li")).to_have_count(3)
    page.select_option("#id_org", label="洛扎县人民检察院")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#id_org option:checked")).to_have_text("洛扎县人民检察院")
    page.screenshot(path=folder / "03-province-capped.png", full_page=True)
