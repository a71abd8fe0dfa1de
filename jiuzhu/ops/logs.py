"""One log line per request and per task; JSON when JIUZHU_LOG_FORMAT=json. Never personal data.

A request line holds: request id (X-Request-ID when a proxy sent a sane one, else new), method,
path with anything that looks like a token or a name replaced by ':' (query strings are never
logged), the view's name, status, duration, user id and the org code of the user's first
membership (or the API client's org). A task line holds its id, task path, status, duration and
the worker; never its arguments.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("jiuzhu.request")
task_logger = logging.getLogger("jiuzhu.task")

_SAFE_SEGMENT = re.compile(r"^(?:[0-9]{1,20}|[a-z][a-z0-9_.-]{0,30})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FIELDS = ("request_id", "method", "path", "view", "status", "duration_ms", "user_id", "org",
          "task_id", "task", "worker", "queue")


def safe_path(path: str) -> str:
    return "/".join(s if not s or _SAFE_SEGMENT.match(s) else ":" for s in path.split("/"))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                               "logger": record.name, "message": record.getMessage()}
        for f in FIELDS:
            if hasattr(record, f):
                out[f] = getattr(record, f)
        if record.exc_info:
            out["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class RequestLogMiddleware:
    """Log each request once and count it for /metrics; set X-Request-ID on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            took = time.perf_counter() - t0
            try:
                from jiuzhu.ops import metrics

                metrics.REQUESTS.labels(request.method, str(status)).inc()
                metrics.DURATION.labels(request.method).observe(took)
            except Exception:  # metrics never break a request
                pass
            extra = {"request_id": rid, "method": request.method, "path": safe_path(request.path),
                     "view": getattr(getattr(request, "resolver_match", None), "view_name", None),
                     "status": status, "duration_ms": round(took * 1000, 1),
                     "user_id": None, "org": None}
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                from jiuzhu.accounts.access import memberships_of

                extra["user_id"] = user.pk
                ms = memberships_of(user)
                extra["org"] = ms[0].org.code if ms else None
            client = getattr(request, "api_client", None)
            if client is not None:
                extra["org"] = getattr(getattr(client, "org", None), "code", None)
            request_logger.info("%s %s %s %.0f ms", request.method, extra["path"], status, took * 1000,
                                extra=extra)


def log_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """task_finished receiver: one line per task run (never raises: a log line must not fail a task)."""
    try:
        _log_task(task_result)
    except Exception:
        task_logger.exception("could not log a finished task")


def _log_task(task_result: Any) -> None:
    started, finished = task_result.started_at, task_result.finished_at
    took = (finished - started).total_seconds() * 1000 if started and finished else None
    worker = task_result.worker_ids[-1] if getattr(task_result, "worker_ids", None) else None
    status = getattr(task_result.status, "value", str(task_result.status))
    task_logger.info("task %s %s", task_result.task.module_path, status,
                     extra={"task_id": str(task_result.id), "task": task_result.task.module_path,
                            "status": status, "duration_ms": round(took, 1) if took is not None else None,
                            "worker": worker, "queue": task_result.task.queue_name})
