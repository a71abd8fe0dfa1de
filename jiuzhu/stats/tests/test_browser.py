"""In Chromium: the statistics screen of 山南市 with its charts, a county's own figures, the web ledger import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from jiuzhu.stats import ledger
from jiuzhu.stats.tests.helpers import shannan_ledger, workbook
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PERIOD = "start=2022-01-01&end=2023-06-07"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1500, "height": 1000}}


def _folder(pytestconfig: Any) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "stats"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _option(page: Page, element_id: str) -> Any:
    return page.evaluate(f"echarts.getInstanceByDom(document.getElementById('{element_id}')).getOption()")


def test_the_city_and_a_county_see_their_figures_with_charts(page: Page, live_server, world, pytestconfig) -> None:
    folder = _folder(pytestconfig)
    for f in folder.glob("0[12]-*.png"):
        f.unlink()
    checked = ledger.check(workbook(shannan_ledger()))
    ledger.import_rows(checked, acting_user=None)
    base = live_server.url

    _login(page, base, world.user("540500", "stats"))
    page.get_by_role("link", name="统计分析").click()
    page.goto(f"{base}/stats/?org=540500&{PERIOD}&compare_start=2018-01-01&compare_end=2021-12-31")
    expect(page.locator("#summary")).to_contain_text("42件")
    expect(page.locator("#press-text")).to_contain_text("是前4年总和的10倍")
    for chart in ("chart-years", "chart-orgs", "chart-groups", "chart-services", "chart-sources"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-ready", "1")
        # The donuts are drawn as SVG (their legends are text: test_browser_home.py), the rest on a canvas.
        drawn = "svg" if chart in ("chart-services", "chart-sources") else "canvas"
        expect(page.locator(f"#{chart} {drawn}")).to_have_count(1)
    orgs = _option(page, "chart-orgs")
    assert "加查县" in orgs["xAxis"][0]["data"] and orgs["series"][0]["name"] == "承办或出资件数"
    assert _option(page, "chart-years")["xAxis"][0]["data"] == [2022]
    page.get_by_role("button", name="复制文字").click()
    expect(page.locator("#copy-done")).to_be_visible()
    page.screenshot(path=folder / "01-city.png", full_page=True)
    page.locator("#by-org").get_by_role("link", name="5").first.click()
    expect(page.locator("h1")).to_contain_text("统计明细")
    expect(page.locator("#drill tbody tr")).to_have_count(5)
    page.get_by_role("button", name="退出", exact=True).click()

    _login(page, base, world.user("540528", "kongshen"))
    page.goto(f"{base}/stats/?{PERIOD}")
    expect(page.locator("#id_org option")).to_have_count(1)
    expect(page.locator("#summary")).to_contain_text("5件")
    expect(page.locator("#chart-orgs")).to_have_attribute("data-ready", "1")
    assert _option(page, "chart-orgs")["xAxis"][0]["data"] == ["加查县"]
    page.screenshot(path=folder / "02-county.png", full_page=True)
    response = page.goto(f"{base}/stats/?org=540500&{PERIOD}")
    assert response is not None and response.status == 404
    assert_cjk_renders(page, "Noto Sans CJK SC")


def test_the_web_import_shows_progress_and_the_errors(page: Page, live_server, world, pytestconfig, tmp_path) -> None:
    folder = _folder(pytestconfig)
    base = live_server.url
    rows = shannan_ledger()
    bad = [*rows[:3], {**rows[3], "决定结果": "同意"}]
    (tmp_path / "bad.xlsx").write_bytes(workbook(bad))
    (tmp_path / "good.xlsx").write_bytes(workbook(rows))

    _login(page, base, world.user("540500", "kongshen"))
    page.goto(f"{base}/stats/import/")
    page.set_input_files("#id_file", str(tmp_path / "bad.xlsx"))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#status")).to_have_text("排队中")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(page.locator("#status")).to_have_text("有错误，未导入", timeout=10000)
    expect(page.locator("#message")).to_contain_text("第5行 决定结果: 应为“救助”或“不予救助”")
    expect(page.locator("#errors")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#errors").click()
    header, raw = ledger.read_workbook(Path(download.value.path()).read_bytes())
    assert header[-1] == "错误" and "应为“救助”或“不予救助”" in raw[3][-1]
    page.screenshot(path=folder / "03-import-errors.png", full_page=True)
    # The errors workbook lists ID numbers: once read, its owner deletes it.
    page.reload()
    page.get_by_role("button", name="删除错误清单（含身份证号码）").click()
    expect(page.get_by_text("错误清单已删除。")).to_be_visible()
    expect(page.locator("#errors")).to_be_hidden()
    page.screenshot(path=folder / "03b-import-errors-deleted.png", full_page=True)

    page.goto(f"{base}/stats/import/")
    page.set_input_files("#id_file", str(tmp_path / "good.xlsx"))
    page.get_by_role("button", name="上传并导入").click()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(page.locator("#status")).to_have_text("已完成", timeout=10000)
    expect(page.locator("#bar")).to_have_text("100%")
    page.wait_for_timeout(800)  # the bar's width transition
    expect(page.locator("#message")).to_have_text("导入 46 件，跳过 0 件（已存在）")
    page.screenshot(path=folder / "04-import-done.png", full_page=True)
