"""Prometheus metrics: request counters (multiprocess-safe) and gauges read from the database at scrape.

Request counters live in each web process; under gunicorn, `scripts/serve` sets
PROMETHEUS_MULTIPROC_DIR so that prometheus-client sums them across processes. The queue, failed
tasks, workers and SMS states are counted in the database when /metrics is scraped, so they are the
same whichever process answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REQUESTS = Counter("jiuzhu_http_requests_total", "HTTP requests answered", ["method", "status"])
DURATION = Histogram("jiuzhu_http_request_duration_seconds", "Time to answer a request", ["method"],
                     buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from jiuzhu.notifications.models import OutboundMessage
        from jiuzhu.ops.models import WorkerHeartbeat
        from jiuzhu.ops.worker import stale_seconds

        now = timezone.now()
        by_status = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        tasks = GaugeMetricFamily("jiuzhu_tasks", "Background tasks by status", labels=["status"])
        for status in TaskResultStatus:
            tasks.add_metric([status.value.lower()], by_status.get(status.value, 0))
        yield tasks
        ready = DBTaskResult.objects.ready()
        yield GaugeMetricFamily("jiuzhu_task_queue_depth", "Tasks ready to run now", value=ready.count())
        oldest = ready.aggregate(m=Min("enqueued_at"))["m"]
        yield GaugeMetricFamily("jiuzhu_task_queue_oldest_age_seconds", "Age of the oldest ready task",
                                value=(now - oldest).total_seconds() if oldest else 0)
        yield GaugeMetricFamily("jiuzhu_tasks_failed", "Tasks that ended in failure",
                                value=by_status.get(TaskResultStatus.FAILED.value, 0))
        import datetime as dt
        yield GaugeMetricFamily("jiuzhu_workers_alive", "Workers with a fresh heartbeat",
                                value=WorkerHeartbeat.objects.filter(
                                    seen_at__gte=now - dt.timedelta(seconds=stale_seconds())).count())
        sms = GaugeMetricFamily("jiuzhu_sms_messages", "Outbound SMS by delivery state", labels=["state"])
        states = dict(OutboundMessage.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        for state in OutboundMessage.State:
            sms.add_metric([state.value], states.get(state.value, 0))
        yield sms


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
