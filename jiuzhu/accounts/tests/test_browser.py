"""In Chromium: the lockout message, enrolling an authenticator from the QR code, the verify step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from jiuzhu.accounts import twofactor
from jiuzhu.demo.data import DEMO_PASSWORD
from jiuzhu.testing import browser_login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


def _folder(pytestconfig: Any) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "login"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _password(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录", exact=True).click()


def test_the_login_page_says_in_chinese_that_the_account_is_locked(page: Page, live_server, world,
                                                                    pytestconfig) -> None:
    base = live_server.url
    for _ in range(5):
        _password(page, base, "jiacha_kongshen", "wrong-password")
    _password(page, base, "jiacha_kongshen", DEMO_PASSWORD)
    expect(page.locator("#lockout")).to_contain_text("登录失败次数过多")
    expect(page.locator("#lockout")).to_contain_text("联系系统管理员解除锁定")
    page.screenshot(path=_folder(pytestconfig) / "01-lockout.png", full_page=True)
    assert_cjk_renders(page, "Noto Sans CJK SC")

    # The city's administrator unlocks the account from the admin site.
    browser_login(page, base, world.user("540500", "admin"))
    page.goto(base + "/admin/accounts/loginlockout/")
    expect(page.locator("#result_list")).to_contain_text("jiacha_kongshen")
    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "unlock")
    page.screenshot(path=_folder(pytestconfig) / "01b-unlock.png", full_page=True)
    page.locator("button[name=index], input[name=index]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("已解除 1 条登录锁定")
    page.goto(base + "/")
    page.get_by_role("button", name="退出", exact=True).click()
    browser_login(page, base, world.user("540528", "kongshen"))


def test_a_chief_enrols_from_the_qr_code_then_verifies_at_the_next_login(page: Page, live_server, world,
                                                                          pytestconfig, settings) -> None:
    settings.JIUZHU_2FA_REQUIRED = True
    base, folder = live_server.url, _folder(pytestconfig)
    chief = world.user("540528", "chief")
    _password(page, base, chief.username, DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("绑定身份验证器（两步验证）")
    expect(page.locator("#qr svg")).to_be_visible()
    box = page.locator("#qr svg").bounding_box()
    assert box is not None and box["width"] > 120
    page.screenshot(path=folder / "02-enrol.png", full_page=True)
    device = TOTPDevice.objects.get(user=chief, confirmed=False)
    page.fill("#id_token", twofactor.current_code(device))
    page.get_by_role("button", name="绑定", exact=True).click()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.screenshot(path=folder / "03-backup-codes.png", full_page=True)
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.locator(".navbar-text")).to_contain_text(str(chief))
    page.get_by_role("button", name="退出", exact=True).click()

    _password(page, base, chief.username, DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("两步验证")
    page.fill("#id_token", "123456")
    page.get_by_role("button", name="验证", exact=True).click()
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    page.screenshot(path=folder / "04-verify.png", full_page=True)
    page.get_by_role("button", name="退出，换一个账号登录").click()
    browser_login(page, base, chief)  # the shared helper types the app's code when one is owed
    assert_cjk_renders(page, "Noto Sans CJK SC")
    page.get_by_role("button", name="退出", exact=True).click()
    browser_login(page, base, world.user("540528", "finance"))  # required, no device: the helper enrols
