"""Outbound messages: one record per message with its delivery state, editable templates, sent only
after the transaction commits (never from inside it)."""

from __future__ import annotations

import pytest
from django.db import transaction

from jiuzhu.notifications import outbound
from jiuzhu.notifications.models import MessageTemplate, OutboundMessage
from jiuzhu.notifications.sms import MemoryBackend, SmsError
from jiuzhu.notifications.tasks import retry_unsent, sms_for_notices

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _memory(settings):  # type: ignore[no-untyped-def]
    settings.JIUZHU_SMS_BACKEND = "jiuzhu.notifications.sms.MemoryBackend"
    MemoryBackend.outbox.clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_sends_nothing_while_the_transaction_is_open_and_nothing_if_it_rolls_back(monkeypatch) -> None:
    sent: list[int] = []
    monkeypatch.setattr(outbound, "_enqueue", lambda pk: sent.append(pk))
    with transaction.atomic():
        msg = outbound.queue("receipt", to=PHONE, dedupe_key="t:1", receipt="WS1", org="加查县人民检察院")
        assert msg is not None and sent == []
    assert sent == [msg.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        outbound.queue("receipt", to=PHONE, dedupe_key="t:2", receipt="WS2", org="加查县人民检察院")
        raise RuntimeError
    assert sent == [msg.pk] and not OutboundMessage.objects.filter(dedupe_key="t:2").exists()


@pytest.mark.django_db
def test_it_records_the_delivery_state_and_retries_failures(monkeypatch) -> None:
    msg = outbound.queue("receipt", to=PHONE, dedupe_key="t:1", receipt="WS1", org="加查县人民检察院")
    assert msg is not None and msg.state == "queued" and msg.to_masked == "138****8000"
    assert PHONE.encode() not in bytes(OutboundMessage.objects.values_list("to", flat=True).get())

    def boom(self, to: str, text: str) -> None:  # type: ignore[no-untyped-def]
        raise SmsError("网关超时")

    monkeypatch.setattr(MemoryBackend, "send", boom)
    assert outbound.deliver(msg.pk) == "failed"
    msg.refresh_from_db()
    assert (msg.state, msg.attempts, msg.error) == ("failed", 1, "网关超时")
    monkeypatch.undo()
    assert retry_unsent() == 1
    msg.refresh_from_db()
    assert msg.state == "sent" and msg.sent_at is not None and msg.attempts == 2
    assert MemoryBackend.outbox == [(PHONE, msg.text)]
    assert outbound.deliver(msg.pk) == "sent" and len(MemoryBackend.outbox) == 1  # never twice


@pytest.mark.django_db
def test_the_daily_sweep_retries_what_the_gateway_failed_to_take(monkeypatch) -> None:
    from jiuzhu.ops.tasks import daily_sweep

    msg = outbound.queue("receipt", to=PHONE, dedupe_key="t:2", receipt="WS2", org="加查县人民检察院")
    assert msg is not None

    def boom(self, to: str, text: str) -> None:  # type: ignore[no-untyped-def]
        raise SmsError("网关超时")

    monkeypatch.setattr(MemoryBackend, "send", boom)
    assert outbound.deliver(msg.pk) == "failed"
    monkeypatch.undo()
    result = daily_sweep.call()
    msg.refresh_from_db()
    assert result["sms_retried"] == 1 and msg.state == "sent" and msg.attempts == 2


@pytest.mark.django_db
def test_it_makes_one_message_per_event() -> None:
    assert outbound.queue("receipt", to=PHONE, dedupe_key="same", receipt="WS1", org="x") is not None
    assert outbound.queue("receipt", to=PHONE, dedupe_key="same", receipt="WS1", org="x") is None
    assert OutboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_it_uses_the_template_an_administrator_edited() -> None:
    assert MessageTemplate.objects.filter(key="receipt").exists()  # seeded by the migration
    MessageTemplate.objects.filter(key="receipt").update(text="回执{receipt}，{org}已收到。{unknown}")
    assert outbound.render("receipt", receipt="WS9", org="加查县人民检察院") == "回执WS9，加查县人民检察院已收到。{unknown}"
    MessageTemplate.objects.filter(key="receipt").update(text="坏模板{receipt")
    assert "WS9" in outbound.render("receipt", receipt="WS9", org="x")  # a broken template falls back


@pytest.mark.django_db
def test_it_texts_staff_their_notices_once(world) -> None:
    from jiuzhu.lib import clock
    from jiuzhu.notifications.models import Notification

    user = world.user("540528", "kongshen")
    user.phone = "13900000009"
    user.save()
    Notification.objects.create(recipient=user, kind="overdue", text="加查-2026-0001：期限已届满。",
                                dedupe_key="x:1", created_at=clock.now())
    assert sms_for_notices() == 1 and sms_for_notices() == 0
    msg = OutboundMessage.objects.get(key="staff_notice")
    assert msg.to_masked == "139****0009" and "期限已届满" in msg.text


def test_settings_read_jiuzhu_sms_backend_and_a_wrong_one_stops_the_start() -> None:
    """Red team: the README names JIUZHU_SMS_BACKEND but settings.py never read it."""
    import os
    import subprocess
    import sys

    code = ("import django; django.setup(); from django.conf import settings; "
            "from jiuzhu.notifications.sms import get_backend; print(settings.JIUZHU_SMS_BACKEND, type(get_backend()).__name__)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings_test"}
    env.pop("JIUZHU_SMS_BACKEND", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["jiuzhu.notifications.sms.FileBackend", "FileBackend"]
    env["JIUZHU_SMS_BACKEND"] = "jiuzhu.notifications.sms.ConsoleBackend"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["jiuzhu.notifications.sms.ConsoleBackend", "ConsoleBackend"]
    for wrong, says in [("jiuzhu.notifications.sms.NoSuchBackend", "cannot be imported"),
                        ("no.such.module.Gateway", "cannot be imported"),
                        ("jiuzhu.notifications.sms.get_backend", "not a class with a send")]:
        env["JIUZHU_SMS_BACKEND"] = wrong
        bad = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                             text=True)
        assert bad.returncode != 0 and "ImproperlyConfigured" in bad.stderr and says in bad.stderr, bad.stderr[-500:]
