"""Read replica for the heavy reads (DATABASE_REPLICA_URL).

Only the GET requests of the views in JIUZHU_REPLICA_VIEWS (the statistics screen and its drill-down,
the Excel exports, the API's statistics) read from the replica, and within them only the business
tables: sessions, users and memberships, API tokens and rate limits, tasks and heartbeats are always
read from the primary, so a login, a permission or a token just changed is seen at once. Every write,
every read inside a transaction and every other request goes to the primary; with no replica
configured everything is on the primary.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("jiuzhu_use_replica", default=False)
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "api", "contenttypes", "admin", "ops",
                               "django_tasks_db", "django_tasks_database"})


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if (_use_replica.get() and replica_configured() and model._meta.app_label not in PRIMARY_ONLY_APPS
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two doors

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


class ReplicaMiddleware:
    """Mark the GET requests of JIUZHU_REPLICA_VIEWS as replica reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _use_replica.set(False)
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = getattr(request, "resolver_match", None)
        if (request.method in ("GET", "HEAD") and match is not None and replica_configured()
                and match.view_name in getattr(settings, "JIUZHU_REPLICA_VIEWS", ())):
            _use_replica.set(True)
