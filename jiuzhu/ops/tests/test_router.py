"""The read-replica router: the statistics, exports and API statistics read from `replica`; logins,
permissions, tokens, writes and every other screen from the primary; no replica, all on the primary.

The replica here is a second alias on the same database (a real streaming replica is left out of
this test: CI's role may not replicate). Queries are captured per alias to show where each ran.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jiuzhu.ops.router import REPLICA, ReplicaRouter, reading_from_replica


@pytest.fixture
def replica_alias():  # type: ignore[no-untyped-def]
    settings.DATABASES[REPLICA] = {**connections["default"].settings_dict, "CONN_MAX_AGE": None}
    # Connect at once: pytest-django forbids opening a connection to an alias the test did not list
    # (the alias did not exist when the test was set up), not using one that is open.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]


def _tables(ctx: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_stats_screen_and_api_stats_read_from_the_replica(world, replica_alias) -> None:  # type: ignore[no-untyped-def]
    from jiuzhu.api import tokens

    world.to("granted", amount="9000")
    c = Client()
    c.force_login(world.user("540500", "stats"))
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica_alias) as replica:
        r = c.get("/stats/")
    assert r.status_code == 200
    assert "cases_aidcase" in _tables(replica), "the statistics did not read from the replica"
    assert "cases_aidcase" not in _tables(primary)
    # The session and the user's memberships are read from the primary.
    assert "django_session" in _tables(primary) and "django_session" not in _tables(replica)
    assert "accounts_membership" not in _tables(replica)

    _, token = tokens.issue(name="12309", org=world.orgs["540500"], scopes=["read_stats"], rate_per_minute=1000)
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica_alias) as replica:
        r = c.get("/api/v1/stats?from=2018-01-01&to=2026-12-31", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.content
    assert json.loads(r.content)
    assert "cases_aidcase" in _tables(replica)
    assert "api_apiclient" in _tables(primary) and "api_apiclient" not in _tables(replica)
    assert "INSERT" in _tables(primary) and "INSERT" not in _tables(replica)  # the call log

    # Any other screen (the worklist) stays on the primary.
    c2 = Client()
    c2.force_login(world.user("540528", "kongshen"))
    with CaptureQueriesContext(replica_alias) as replica:
        assert c2.get("/").status_code == 200
    assert replica.captured_queries == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_excel_exports_read_from_the_replica_and_audit_on_the_primary(world, replica_alias) -> None:  # type: ignore[no-untyped-def]
    import io

    from openpyxl import load_workbook

    world.to("granted", amount="9000")
    for (org, user), url in ((("540500", "stats"), "/stats/export/report.xlsx"),
                             (("540528", "kongshen"), "/cases/export.xlsx")):
        c = Client()
        c.force_login(world.user(org, user))
        with CaptureQueriesContext(connections["default"]) as primary, \
                CaptureQueriesContext(replica_alias) as replica:
            r = c.get(url)
        assert r.status_code == 200, (url, r.content[:300])
        assert load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).sheetnames
        assert "cases_aidcase" in _tables(replica), f"{url} did not read from the replica"
        assert "cases_aidcase" not in _tables(primary), url
        assert "INSERT" not in _tables(replica)  # the export's audit row goes to the primary


@pytest.mark.django_db
def test_without_a_replica_everything_is_on_the_primary(world) -> None:  # type: ignore[no-untyped-def]
    from jiuzhu.cases.models import AidCase

    assert REPLICA not in settings.DATABASES
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(AidCase) is None
    assert ReplicaRouter().db_for_write(AidCase) == "default"
    c = Client()
    c.force_login(world.user("540500", "stats"))
    assert c.get("/stats/").status_code == 200


def test_writes_and_migrations_never_go_to_the_replica() -> None:
    from jiuzhu.cases.models import AidCase

    router = ReplicaRouter()
    assert router.db_for_write(AidCase) == "default"
    assert router.allow_migrate(REPLICA, "cases") is False and router.allow_migrate("default", "cases") is True
