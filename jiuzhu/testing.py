"""Helpers shared by the test suites."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def race(*calls: Callable[[], object], timeout: float = 120) -> list[object]:
    """Run CALLS in threads released at the same instant; return each one's result or exception.

    Each thread closes its own database connection at the end, as a request would.
    """
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def browser_login(page, base: str, user) -> None:  # type: ignore[no-untyped-def]
    """Log USER in through the login page in a Playwright PAGE (every demo user has the demo password).

    When a second factor is owed, type the code an authenticator app would show (enrolling first if needed).
    """
    from playwright.sync_api import expect

    from jiuzhu.demo.data import DEMO_PASSWORD

    page.goto(base + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    from jiuzhu.accounts.twofactor import current_code, totp_device

    if "/login/verify/" in page.url:  # the user has a TOTP device: type the code an app would show
        page.fill("#id_token", current_code(totp_device(user)))  # type: ignore[arg-type]
        page.get_by_role("button", name="验证", exact=True).click()
    elif "/account/2fa/setup/" in page.url:  # 2FA required and no device yet: enrol as a person would
        page.fill("#id_token", current_code(totp_device(user, confirmed=False)))  # type: ignore[arg-type]
        page.get_by_role("button", name="绑定", exact=True).click()
        page.get_by_role("link", name="我已保存，继续").click()
    expect(page.locator(".navbar-text")).to_contain_text(str(user))


def password_login(client, username: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    """Log in through the login page, as a person does (Client.login bypasses the lockout check).

    Return whether the password was accepted (a second factor may still be owed).
    """
    client.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session
