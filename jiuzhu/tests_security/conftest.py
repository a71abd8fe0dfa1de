"""Fixtures of the security tests: SMS codes kept in memory (the portal login), API tokens."""

from __future__ import annotations

import pytest

from jiuzhu.notifications.sms import MemoryBackend


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):  # type: ignore[no-untyped-def]
    settings.JIUZHU_SMS_BACKEND = "jiuzhu.notifications.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


@pytest.fixture
def api_token(world):  # type: ignore[no-untyped-def]
    """A token of 加查县's 12309 client with every scope and a rate limit the corpus does not reach."""
    from jiuzhu.api import tokens

    _, token = tokens.issue(name="12309平台-540528", org=world.orgs["540528"],
                            scopes=["submit", "read_cases", "read_stats"], rate_per_minute=100000)
    return token


@pytest.fixture
def sessions_in_cookies(settings):  # type: ignore[no-untyped-def]
    """The bad-input sweeps: each request's writes are rolled back, so a session row saved inside would vanish
    and log the crawl out; signed-cookie sessions keep it in the client."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
