from __future__ import annotations

import pytest

from jiuzhu.notifications.sms import MemoryBackend


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):  # type: ignore[no-untyped-def]
    settings.JIUZHU_SMS_BACKEND = "jiuzhu.notifications.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()
