"""Project-wide pytest fixtures: Playwright drives Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this
# machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Override of pytest-playwright's fixture: launch /usr/bin/chromium with the flags above."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="session", autouse=True)
def _django_allow_async_unsafe() -> None:
    # Playwright's sync API runs an event loop in the test's thread; Django would then refuse ORM
    # calls (live_server, django_db) as "async unsafe".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
