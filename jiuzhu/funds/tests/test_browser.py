"""In Chromium: finance staff fund the budget, the handler plans the payment, finance pays it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.lib import clock
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


def test_it_funds_plans_and_pays_an_aid_case(page: Page, live_server, world, pytestconfig) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "funds"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base, year = live_server.url, clock.today().year
    case = world.to("served", amount="8000")

    _login(page, base, world.user("540528", "finance"))
    page.goto(f"{base}/funds/540528/{year}/")
    for move, amount in (("appropriation", "100000"), ("allocation", "50000")):
        form = page.locator(f"form[action$='/{move}/']")
        form.locator("input[name=amount]").fill(amount)
        form.locator("input[name=document_number]").fill(f"山财〔{year}〕{amount[:2]}号")
        form.get_by_role("button", name="登记").click()
        page.wait_for_load_state()
    expect(page.locator("#totals")).to_contain_text("100000.00")
    expect(page.locator("#totals")).to_contain_text("50000.00")
    expect(page.locator("#ledger")).to_contain_text("财政核拨")
    page.screenshot(path=folder / "01-budget.png", full_page=True)
    from jiuzhu.cases.actions import record_funds

    record_funds(case, acting_user=world.user("540528", "finance"))  # the money is there now
    page.get_by_role("button", name="退出", exact=True).click()

    _login(page, base, world.user("540528", "kongshen"))
    page.goto(f"{base}/cases/{case.pk}/")
    due = (clock.today() + dt.timedelta(days=3)).isoformat()
    page.fill("#id_plan", f"8000 {due}")
    page.fill("#id_payee_name", "申请人本人")
    page.fill("#id_bank_name", "中国农业银行加查县支行")
    page.fill("#id_account", "6228480123456789012")
    page.get_by_role("button", name="保存发放计划").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("**************9012")
    expect(page.locator("body")).not_to_contain_text("6228480123456789012")
    page.screenshot(path=folder / "02-planned.png", full_page=True)
    page.get_by_role("button", name="退出", exact=True).click()

    _login(page, base, world.user("540528", "finance"))
    page.goto(f"{base}/cases/{case.pk}/")
    page.fill("input[name=bank_reference]", "ABC2026112900001")
    page.get_by_role("button", name="登记支付").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("ABC2026112900001")
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator("#case-status")).to_have_text("已发放")
    page.screenshot(path=folder / "03-paid.png", full_page=True)
    case.refresh_from_db()
    assert case.paid_amount == 8000
    assert_cjk_renders(page, page.evaluate("getComputedStyle(document.body).fontFamily"))
