"""In Chromium (issue 13): the statistics user's home is the statistics screen; the donuts name every slice in full
in their legend with its value (never "…"); the favicon is linked and served; a partner dropdown says 请选择."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.lib import clock
from jiuzhu.support.actions import record_service
from jiuzhu.support.tests.helpers import agency
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1300, "height": 1000}}


def _folder(pytestconfig: Any) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "pc"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_statistics_user_lands_on_the_statistics_and_reads_full_donut_legends(page: Page, live_server, world,
                                                                                  pytestconfig) -> None:
    folder = _folder(pytestconfig)
    base = live_server.url
    case = world.to("paid", "540528")
    kongshen = world.user("540528", "kongshen")
    today = clock.today()
    record_service(case.handling_org, acting_user=kongshen, kind="counselling", provided_on=today, person_times=3,
                   case=case)
    record_service(case.handling_org, acting_user=kongshen, kind="employment", provided_on=today, person_times=2,
                   case=case)

    _login(page, base, world.user("540500", "stats"))
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/stats/")
    expect(page.locator("body")).not_to_contain_text("随后上线")
    page.goto(f"{base}/stats/?org=540500&start={today.year}-01-01&end={today.isoformat()}")
    services = page.locator("#chart-services")
    expect(services).to_have_attribute("data-ready", "1")
    expect(services.locator("svg")).to_have_count(1)
    legend = services.locator("svg text").all_text_contents()
    assert "心理疏导 3" in legend and "就业帮扶 2" in legend, legend
    assert not any("…" in t or "..." in t for t in legend), legend
    sources = page.locator("#chart-sources svg text").all_text_contents()
    assert sources and not any("…" in t for t in sources), sources
    services.screenshot(path=folder / "stats-donut-services.png")
    page.screenshot(path=folder / "stats-home.png", full_page=True)
    assert_cjk_renders(page, "Noto Sans CJK SC")

    # The favicon: linked from the page, served at both addresses, an icon (no 404 in the console).
    href = page.locator("link[rel=icon]").first.get_attribute("href")
    assert href and href.endswith("favicon.ico")
    for url in (f"{base}/favicon.ico", f"{base}{href}"):
        response = page.request.get(url)
        assert response.status == 200 and response.body()[:4] == b"\x00\x00\x01\x00", url
    page.get_by_role("button", name="退出", exact=True).click()

    # A partner dropdown's empty choice is Chinese.
    agency(world, name="加查县民政局", code="540528")
    _login(page, base, kongshen)
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_role("link", name="移送协作单位").click()
    first = page.locator("#id_agency option").first
    expect(first).to_have_text("请选择")
    expect(page.locator("body")).not_to_contain_text("Select an option")
    page.screenshot(path=folder / "referral-select.png", full_page=True)


def test_the_calculator_names_the_living_cost_with_one_term_in_input_and_result(page: Page, live_server, world,
                                                                                 pytestconfig) -> None:
    """The calculator's input said 当地最低生活保障标准 and its result 当地基本生活费用: one term (domain.md §5)."""
    folder = _folder(pytestconfig)
    base = live_server.url
    case = world.to("under_review", "540528")
    _login(page, base, world.user("540528", "kongshen"))
    page.goto(f"{base}/cases/{case.pk}/submit_opinion/")
    label = page.locator("label[for=id_local_living_cost_yuan]")
    expect(label).to_contain_text("当地基本生活费用")
    page.fill("#id_family_monthly_income_yuan", "1500")
    page.fill("#id_household_size", "3")
    page.fill("#id_local_living_cost_yuan", "900")
    page.get_by_role("button", name="测算").click()
    expect(page.locator("#calculation")).to_contain_text("人均500.00元，低于当地基本生活费用900.00元")
    expect(page.locator("body")).not_to_contain_text("最低生活保障标准")
    expect(page.locator("#id_local_living_cost_yuan")).to_have_value("900")
    page.screenshot(path=folder / "calculator.png", full_page=True)
