"""/healthz, /readyz, /metrics, the request log and the worker heartbeat/reaper."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from jiuzhu.ops import health
from jiuzhu.ops.logs import JsonFormatter, safe_path
from jiuzhu.ops.models import WorkerHeartbeat
from jiuzhu.ops.worker import beat, reap_orphans

pytestmark = pytest.mark.django_db


def _ready_everything(monkeypatch):  # type: ignore[no-untyped-def]
    from jiuzhu.calendar.models import CalendarYear
    from jiuzhu.lib import clock

    CalendarYear.objects.get_or_create(year=clock.today().year + 1)
    beat("w-test", timezone.now())


def test_healthz_answers_without_login() -> None:
    r = Client().get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_names_the_failing_checks_with_503() -> None:
    from jiuzhu.calendar.models import CalendarYear
    from jiuzhu.lib import clock

    CalendarYear.objects.filter(year=clock.today().year + 1).delete()
    WorkerHeartbeat.objects.all().delete()
    r = Client().get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert "worker" in body["failing"] and "calendar" in body["failing"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert str(clock.today().year + 1) in body["checks"]["calendar"]["detail"]


def test_readyz_200_when_worker_fresh_and_calendar_covers_next_year(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _ready_everything(monkeypatch)
    r = Client().get("/readyz")
    body = r.json()
    # LibreOffice and the fonts are installed by scripts/test; the rest is in the database.
    assert body["failing"] == [], body
    assert r.status_code == 200


def test_readyz_stale_heartbeat_is_not_ready() -> None:
    WorkerHeartbeat.objects.create(worker_id="old", hostname="h", pid=1, started_at=timezone.now(),
                                   seen_at=timezone.now() - dt.timedelta(seconds=61))
    ok, _ = health.worker()
    assert not ok


def test_readyz_missing_font_fails(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "REQUIRED_FONTS", ("No Such Font SC",))
    ok, detail = health.fonts()
    assert not ok and "No Such Font SC" in detail


def test_reaper_requeues_the_task_of_a_dead_worker_only() -> None:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from jiuzhu.notifications.tasks import deliver_message

    a = deliver_message.enqueue(1)
    b = deliver_message.enqueue(2)
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="dead", hostname="h", pid=1, started_at=now,
                                   seen_at=now - dt.timedelta(seconds=120))
    beat("alive", now)
    for pk, wid in ((a.id, "dead"), (b.id, "alive")):
        row = DBTaskResult.objects.get(pk=pk)
        row.claim(wid)
    assert reap_orphans() == [str(a.id)]
    assert DBTaskResult.objects.get(pk=a.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=b.id).status == TaskResultStatus.RUNNING


def test_metrics_404_unless_configured_403_without_token() -> None:
    assert Client().get("/metrics").status_code == 404
    with override_settings(JIUZHU_METRICS_TOKEN="s3cret-token"):
        assert Client().get("/metrics").status_code == 403
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        r = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
        assert r.status_code == 200
        text = r.content.decode()
        for name in ("jiuzhu_http_requests_total", "jiuzhu_task_queue_depth", "jiuzhu_task_queue_oldest_age_seconds",
                     "jiuzhu_tasks_failed", 'jiuzhu_sms_messages{state="sent"}', "jiuzhu_workers_alive"):
            assert name in text


def test_metrics_address_allow_list() -> None:
    with override_settings(JIUZHU_METRICS_ALLOW=["10.0.0.0/8"]):
        assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
        assert Client().get("/metrics", REMOTE_ADDR="192.168.1.1").status_code == 403


def test_queue_depth_counts_ready_tasks() -> None:
    from jiuzhu.notifications.tasks import deliver_message
    from jiuzhu.ops import metrics

    for i in range(3):
        deliver_message.enqueue(i)
    text = metrics.render().decode()
    assert "jiuzhu_task_queue_depth 3.0" in text


def test_request_log_line_is_json_without_personal_data(world, caplog) -> None:  # type: ignore[no-untyped-def]
    user = world.user("540528", "kongshen")
    c = Client()
    c.force_login(user)
    with caplog.at_level(logging.INFO, logger="jiuzhu.request"):
        r = c.get("/search/?q=540521199001011234", HTTP_X_REQUEST_ID="abcdef123456")
    assert r["X-Request-ID"] == "abcdef123456"
    recs = [rec for rec in caplog.records if rec.name == "jiuzhu.request"]
    assert len(recs) == 1
    line = json.loads(JsonFormatter().format(recs[0]))
    assert line["request_id"] == "abcdef123456" and line["user_id"] == user.pk and line["org"] == "540528"
    assert line["status"] == r.status_code and line["duration_ms"] >= 0
    assert "540521199001011234" not in json.dumps(line, ensure_ascii=False)


def test_safe_path_hides_tokens_and_names() -> None:
    assert safe_path("/cases/12/") == "/cases/12/"
    assert safe_path("/support/r/AbCdEf0123456789xyz:signed/") == "/support/r/:/"
    assert safe_path("/search/张三/") == "/search/:/"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_run_writes_one_log_line_without_its_arguments(caplog) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from jiuzhu.notifications.tasks import deliver_message

    deliver_message.enqueue(987654321)
    with caplog.at_level(logging.INFO, logger="jiuzhu.task"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    recs = [r for r in caplog.records if r.name == "jiuzhu.task"]
    assert len(recs) == 1
    line = json.loads(JsonFormatter().format(recs[0]))
    assert line["task"].endswith("deliver_message") and line["status"] == "SUCCESSFUL"
    assert line["duration_ms"] is not None and line["worker"]
    assert "987654321" not in json.dumps(line)
