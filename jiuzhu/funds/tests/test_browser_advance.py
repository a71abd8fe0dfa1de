"""In Chromium: the deputy chief approves advance aid with the payee's account, finance pays it."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.cases import actions as case_actions
from jiuzhu.funds.models import Budget
from jiuzhu.funds.tests.helpers import fund
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


def test_it_approves_and_pays_advance_aid_through_funds(page: Page, live_server, world, pytestconfig) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "funds-advance"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = live_server.url
    budget = fund(world, budget="100000", allocated="20000")
    case = world.clue()
    case_actions.request_advance(case, acting_user=world.user("540528", "kongshen"), amount=Decimal("8000"),
                                 urgency="被害人伤情危重，急需手术费用。")

    _login(page, base, world.user("540528", "deputy_chief"))
    page.goto(f"{base}/cases/{case.pk}/approve_advance/")
    page.get_by_role("button", name="确认批准先行救助").click()  # no account recorded for the applicant
    expect(page.locator("body")).to_contain_text("申请人未登记银行账号")
    page.fill("#id_bank_name", "中国农业银行加查县支行")
    page.fill("#id_account", "6228480123456789012")
    page.screenshot(path=folder / "01-approve.png", full_page=True)
    page.get_by_role("button", name="确认批准先行救助").click()
    page.wait_for_load_state()
    expect(page.locator("#advance-funds")).to_contain_text("先行救助 8000.00 元已列支加查县人民检察院")
    expect(page.locator("#payments")).to_contain_text("待发放")
    page.get_by_role("button", name="退出", exact=True).click()

    _login(page, base, world.user("540528", "finance"))
    page.goto(f"{base}/cases/{case.pk}/")
    page.fill("input[name=bank_reference]", "ABC2026112900088")
    page.get_by_role("button", name="登记支付").click()
    page.wait_for_load_state()
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator("#payments")).to_contain_text("已支付")
    expect(page.locator("#payments")).to_contain_text("**************9012")
    expect(page.locator("body")).not_to_contain_text("6228480123456789012")
    page.locator("#payments").scroll_into_view_if_needed()
    page.screenshot(path=folder / "02-paid.png", full_page=True)
    assert_cjk_renders(page)
    b = Budget.objects.get(pk=budget.pk)
    assert (b.committed, b.paid) == (Decimal(8000), Decimal(8000))
