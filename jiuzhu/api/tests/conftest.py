from __future__ import annotations

import pytest

from jiuzhu.notifications.sms import MemoryBackend


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):  # type: ignore[no-untyped-def]
    settings.JIUZHU_SMS_BACKEND = "jiuzhu.notifications.sms.MemoryBackend"
    MemoryBackend.outbox.clear()


@pytest.fixture
def token_for(world):  # type: ignore[no-untyped-def]
    from jiuzhu.api import tokens

    def make(code: str = "540528", scopes: tuple[str, ...] = ("submit", "read_cases", "read_stats"),
             rate: int = 60) -> str:
        _, token = tokens.issue(name=f"12309平台-{code}", org=world.orgs[code], scopes=list(scopes),
                                rate_per_minute=rate)
        return token

    return make
