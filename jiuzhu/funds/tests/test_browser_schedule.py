"""In Chromium: the payment plan box starts valid and pre-filled from the applicant's registered account, keeps
what was typed after an error, and refuses a planned date before the decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.cases import actions as case_actions
from jiuzhu.funds.models import Payment
from jiuzhu.lib import clock
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-pb")
ACCOUNT = "6228480402564890018"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


def test_it_prefills_keeps_and_checks_the_payment_plan(page: Page, live_server, world) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case = world.to("granted", amount="8000")
    h = world.user("540528", "kongshen")
    case_actions.update_applicant(case, acting_user=h, bank_name="中国农业银行加查县支行", bank_account=ACCOUNT)
    case.refresh_from_db()
    today = clock.today()

    _login(page, base, h)
    page.goto(f"{base}/cases/{case.pk}/")
    plan = page.locator("#id_plan")
    # The default is in the accepted format: the decided amount on the first possible day.
    expect(plan).to_have_value(f"8000.00 {max(today, case.decided_on).isoformat()}")
    expect(page.locator("#id_payee_kind")).to_have_value("applicant")
    expect(page.locator("#id_payee_name")).to_have_value(case.applicant.name)
    expect(page.locator("#id_bank_name")).to_have_value("中国农业银行加查县支行")
    # The full account is never written into the page; the box says which registered account is used.
    expect(page.locator("#id_account")).to_have_value("")
    expect(page.locator("#id_account")).to_have_attribute("placeholder", "留空即使用申请人登记的账号 " + "*" * 15 + "0018")
    assert ACCOUNT not in page.content()
    page.screenshot(path=SHOTS / "schedule-01-prefilled.png", full_page=True)

    # A date a month before the decision: refused in Chinese, nothing saved, everything typed kept.
    early = (case.decided_on - dt.timedelta(days=30)).isoformat()
    plan.fill(f"5000 {early}\n3000 {today.isoformat()}")
    page.fill("#id_payee_name", "旦增（本人）")
    page.get_by_role("button", name="保存发放计划").click()
    page.wait_for_load_state()
    form = page.locator("#schedule-form")
    expect(form).to_contain_text("第1期计划发放日期不能早于决定日期")
    expect(page.locator("#id_plan")).to_have_value(f"5000 {early}\n3000 {today.isoformat()}")
    expect(page.locator("#id_payee_name")).to_have_value("旦增（本人）")
    expect(page.locator("#id_bank_name")).to_have_value("中国农业银行加查县支行")
    assert not Payment.objects.filter(case=case).exists()
    page.screenshot(path=SHOTS / "schedule-02-refused-kept.png", full_page=True)

    # A malformed line: the line is named, the rest is kept.
    page.locator("#id_plan").fill("8000")
    page.get_by_role("button", name="保存发放计划").click()
    page.wait_for_load_state()
    expect(page.locator("#schedule-form")).to_contain_text("第1行应为“金额 日期”")
    expect(page.locator("#id_payee_name")).to_have_value("旦增（本人）")

    # The default as offered is accepted as it is; the empty account means the registered one.
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_role("button", name="保存发放计划").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("已制定发放计划")
    payment = Payment.objects.get(case=case)
    assert (payment.amount, payment.due_on, payment.account) == (case.decided_amount, max(today, case.decided_on),
                                                                  ACCOUNT)
    assert payment.payee_name == case.applicant.name
    expect(page.locator("#payments")).to_contain_text("*" * 15 + "0018")
    page.screenshot(path=SHOTS / "schedule-03-saved.png", full_page=True)
    assert_cjk_renders(page, page.evaluate("getComputedStyle(document.body).fontFamily"))


def test_it_asks_for_an_account_when_none_is_registered(world) -> None:
    from decimal import Decimal

    import pytest as _pytest

    from jiuzhu.funds import actions
    from jiuzhu.funds.actions import FundsError

    case = world.to("granted", amount="8000")
    with _pytest.raises(FundsError, match="请填写银行账号"):
        actions.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                  plan=[(Decimal("8000"), clock.today())], payee_kind="applicant",
                                  payee_name="本人", bank_name="中国农业银行", account="")
    assert not Payment.objects.filter(case=case).exists()
