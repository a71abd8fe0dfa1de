"""The read-replica router against a real PostgreSQL streaming replica on loopback.

.ci/run makes the replica (a second cluster from `pg_basebackup -R`, port 5433) as root and sets
JIUZHU_TEST_REPLICA_PORT; the test database pytest-django creates on the primary streams to it.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiuzhu.ops.router import REPLICA

PORT = os.environ.get("JIUZHU_TEST_REPLICA_PORT", "")
pytestmark = pytest.mark.skipif(
    not (PORT and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))),
    reason="needs a PostgreSQL streaming replica (JIUZHU_TEST_REPLICA_PORT, made by .ci/run as root: the "
           "test role may not replicate)")


@pytest.fixture
def streaming_replica():  # type: ignore[no-untyped-def]
    settings.DATABASES[REPLICA] = {**connections["default"].settings_dict, "PORT": PORT, "CONN_MAX_AGE": None}
    connections[REPLICA].connect()  # opened now: pytest-django forbids opening unlisted aliases later
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]


def _one(conn, sql: str):  # type: ignore[no-untyped-def]
    with conn.cursor() as c:
        c.execute(sql)
        return c.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_statistics_are_read_on_the_streaming_replica(world, streaming_replica) -> None:  # type: ignore[no-untyped-def]
    from jiuzhu.api import tokens

    assert _one(streaming_replica, "SELECT pg_is_in_recovery()") is True
    assert _one(connections["default"], "SELECT pg_is_in_recovery()") is False
    for _ in range(2):
        world.to("granted", amount="9000")
    want = _one(connections["default"], "SELECT count(*) FROM cases_aidcase")
    deadline = time.monotonic() + 30
    while _one(streaming_replica, "SELECT count(*) FROM cases_aidcase") != want:
        assert time.monotonic() < deadline, "the replica did not catch up within 30 s"
        time.sleep(0.2)

    _, token = tokens.issue(name="12309", org=world.orgs["540500"], scopes=["read_stats"], rate_per_minute=1000)
    c = Client()
    url = "/api/v1/stats?from=2018-01-01&to=2026-12-31"
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(streaming_replica) as replica:
        r = c.get(url, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.content
    assert any("cases_aidcase" in q["sql"] for q in replica.captured_queries)
    assert not any("cases_aidcase" in q["sql"] for q in primary.captured_queries)
    via_replica = r.json()

    # The same figures as the primary's (the replica had caught up).
    saved = list(settings.JIUZHU_REPLICA_VIEWS)
    settings.JIUZHU_REPLICA_VIEWS.clear()
    try:
        with CaptureQueriesContext(streaming_replica) as replica:
            direct = c.get(url, headers={"Authorization": f"Bearer {token}"}).json()
        assert replica.captured_queries == []
    finally:
        settings.JIUZHU_REPLICA_VIEWS.extend(saved)
    assert via_replica == direct

    s = Client()
    s.force_login(world.user("540500", "stats"))
    with CaptureQueriesContext(streaming_replica) as replica:
        assert s.get("/stats/").status_code == 200
    assert any("cases_aidcase" in q["sql"] for q in replica.captured_queries)
