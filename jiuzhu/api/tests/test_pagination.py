"""/api/v1/cases pages by an opaque keyset cursor over (updated_at, id): every changed case exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.cases.models import AidCase

pytestmark = pytest.mark.django_db
SHARED = dt.datetime(2026, 11, 29, 8, 0, 0, 123456, tzinfo=dt.UTC)


def _get(client, url: str, token: str):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def _walk(client: Any, token: str, since: dt.datetime, limit: int, max_pages: int) -> list[str]:
    """Follow next_cursor from the first page; fail if the walk does not end within MAX_PAGES."""
    r = _get(client, f"/api/v1/cases?changed_since={quote(since.isoformat())}&limit={limit}", token)
    seen: list[str] = []
    for _ in range(max_pages):
        assert r.status_code == 200, r.content
        body = r.json()
        assert len(body["items"]) <= limit
        seen += [c["number"] for c in body["items"]]
        if body["next_cursor"] is None:
            return seen
        r = _get(client, f"/api/v1/cases?cursor={quote(body['next_cursor'])}&limit={limit}", token)
    raise AssertionError(f"the walk did not end after {max_pages} pages: {seen}")


def _stamp(cases: list[AidCase], stamps: list[dt.datetime]) -> None:
    for case, at in zip(cases, stamps, strict=True):
        AidCase.objects.filter(pk=case.pk).update(updated_at=at)


def test_limit_one_walks_every_changed_case_exactly_once_when_they_share_one_microsecond(
        client, token_for, world) -> None:
    """Red team: next_changed_since was cut to milliseconds and reused with >=, so limit=1 never moved."""
    token = token_for("540528", rate=10_000)
    cases = [world.clue("540528") for _ in range(7)]
    _stamp(cases, [SHARED] * 5 + [SHARED + dt.timedelta(microseconds=1), SHARED - dt.timedelta(microseconds=1)])
    other = world.clue("540521")  # outside the client's scope: never listed
    AidCase.objects.filter(pk=other.pk).update(updated_at=SHARED)
    expected = [c.number for c in sorted(cases[:5], key=lambda c: c.pk)] + [cases[5].number]
    assert _walk(client, token, SHARED, limit=1, max_pages=20) == expected
    assert _walk(client, token, SHARED - dt.timedelta(microseconds=1), limit=2, max_pages=20) == \
        [cases[6].number, *expected]
    # Times come back as stored, to the microsecond.
    first = _get(client, f"/api/v1/cases?changed_since={quote(SHARED.isoformat())}&limit=1", token).json()
    assert first["items"][0]["updated_at"] == "2026-11-29T08:00:00.123456Z"
    assert first["next_changed_since"] == "2026-11-29T08:00:00.123456Z"  # kept for older clients


def test_a_tampered_or_foreign_cursor_is_refused_in_chinese(client, token_for, world) -> None:
    token = token_for("540528")
    for _ in range(2):
        world.clue("540528")
    since = quote((SHARED - dt.timedelta(days=3650)).isoformat())
    cursor = _get(client, f"/api/v1/cases?changed_since={since}&limit=1", token).json()["next_cursor"]
    assert cursor
    payload, sig = cursor.split(":", 1)
    for bad in (cursor[:-1] + ("A" if cursor[-1] != "A" else "B"), "x" + cursor, payload, "nonsense", "a:b:c"):
        r = _get(client, f"/api/v1/cases?cursor={quote(bad)}", token)
        assert r.status_code == 422 and "游标无效" in r.json()["detail"], (bad, r.content)
        assert r.json()["errors"][0]["loc"] == ["cursor"]
    # A cursor belongs to the client it was given to.
    r = _get(client, f"/api/v1/cases?cursor={quote(cursor)}", token_for("540528"))
    assert r.status_code == 422 and "不属于本客户端" in r.json()["detail"]
    assert _get(client, f"/api/v1/cases?cursor={quote(cursor)}", token).status_code == 200
    r = _get(client, "/api/v1/cases", token)
    assert r.status_code == 422 and "changed_since" in r.json()["errors"][0]["msg"]


instants = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1),  # noqa: DTZ001 - naive bounds, aware values
                        timezones=st.just(dt.UTC))


def test_any_timestamps_and_limits_give_every_changed_case_once_in_order(client, token_for, world) -> None:
    token = token_for("540528", rate=1_000_000)
    cases = [world.clue("540528") for _ in range(12)]

    @given(pool=st.lists(instants, min_size=1, max_size=4), data=st.data(), limit=st.integers(1, 5))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    def walk(pool: list[dt.datetime], data: Any, limit: int) -> None:
        stamps = data.draw(st.lists(st.sampled_from(pool), min_size=len(cases), max_size=len(cases)))
        since = data.draw(st.sampled_from([*pool, min(pool) - dt.timedelta(microseconds=1)]))
        _stamp(cases, stamps)
        order = sorted(((at, c.pk, c.number) for c, at in zip(cases, stamps, strict=True) if at >= since))
        assert _walk(client, token, since, limit, max_pages=len(cases) + 2) == [n for _, _, n in order]

    walk()
