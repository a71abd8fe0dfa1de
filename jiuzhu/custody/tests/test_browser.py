"""In Chromium: the custodian's portal lists only its cases, masked, and pays out an approved use."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.custody import actions
from jiuzhu.custody.models import EntrustmentAgreement
from jiuzhu.custody.tests.helpers import PASSWORD, custodian, entrusted
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


def test_the_custodian_portal(page: Page, live_server, world, pytestconfig) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "custody"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    c = custodian(world)
    a = entrusted(world, c, amount="20000")
    entrusted(world, c, amount="15000")
    other = entrusted(world, custodian(world, "540527", name="洛扎县拉康镇村民委员会", username="cust2"), code="540527")
    actions.request_release(a, acting_user=world.user("540528", "kongshen"), amount=Decimal("3500"),
                            purpose="2026年秋季学期学杂费")
    base = live_server.url
    page.goto(base + "/login/")
    page.fill("#id_username", "cust1")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(base + "/custody/portal/")
    expect(page.locator("h1")).to_contain_text("1 笔支取待办")
    expect(page.locator("table")).to_contain_text(a.case.number)
    expect(page.locator("table")).not_to_contain_text(other.case.number)
    expect(page.locator("body")).not_to_contain_text(a.case.applicant.name)
    expect(page.locator("body")).not_to_contain_text(a.case.applicant.id_number_masked)
    page.screenshot(path=folder / "01-portal.png", full_page=True)

    page.locator("tr", has_text=a.case.number).get_by_role("link", name="办理").click()
    page.get_by_role("button", name="同意支取").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="登记已支付").click()
    page.wait_for_load_state()
    expect(page.locator("#ledger h2")).to_contain_text("余额 16500.00 元")
    page.fill("input[name=period_from]", str(a.signed_on))
    page.fill("input[name=period_to]", str(a.signed_on))
    page.fill("input[name=content]", "资金专户存储，本期支付学杂费一笔，受助人就学情况良好。")
    page.get_by_role("button", name="报送").click()
    page.wait_for_load_state()
    expect(page.locator("#reports")).to_contain_text("受助人就学情况良好")
    page.screenshot(path=folder / "02-agreement.png", full_page=True)
    assert EntrustmentAgreement.objects.get(pk=a.pk).balance == Decimal(16500)
    response = page.goto(f"{base}/custody/portal/{other.pk}/")
    assert response is not None and response.status == 404
    page.goto(f"{base}/custody/portal/")
    assert_cjk_renders(page, page.evaluate("getComputedStyle(document.body).fontFamily"))
    page.get_by_role("button", name="退出", exact=True).click()

    # The procurator's side: the same agreement, full names, the sub-ledger and the status controls.
    from jiuzhu.demo.data import DEMO_PASSWORD

    handler = world.user("540528", "kongshen")
    page.goto(base + "/login/")
    page.fill("#id_username", handler.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.goto(f"{base}/cases/{a.case.pk}/")
    page.get_by_role("link", name="第三方资金代管").click()
    expect(page.locator("#agreement")).to_contain_text("次仁卓玛")
    expect(page.locator("#ledger")).to_contain_text("余额 16500.00 元")
    page.fill("#releases input[name=amount]", "1200")
    page.fill("#releases input[name=purpose]", "康复治疗费用")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#releases")).to_contain_text("康复治疗费用")
    page.screenshot(path=folder / "03-procurator-side.png", full_page=True)
