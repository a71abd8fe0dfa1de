"""The audit trail and the case timeline are hash chains: an edit, a deletion or an insertion made
straight in the database is found by `jiuzhu verify-audit`, which names the first broken link."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jiuzhu.audit import chain
from jiuzhu.audit.actions import record
from jiuzhu.audit.models import AuditEntry, ChainHead
from jiuzhu.cases.models import CaseEvent
from jiuzhu.lib import clock
from jiuzhu.testing import race


def verify(*args: str) -> tuple[str, str]:
    """Run verify-audit; return (stdout, stderr); raises CommandError when a chain is broken."""
    out, err = io.StringIO(), io.StringIO()
    call_command("verify-audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify-audit", *args, stdout=out, stderr=err)
    return err.getvalue()


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as c:
        c.execute(statement, params)


@pytest.fixture
def trail(world):  # type: ignore[no-untyped-def]
    """A clue in 540528 (its events) and five audit rows about it."""
    case = world.clue("540528")
    user = world.user("540528", "kongshen")
    entries = [record(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=case, field=f"材料{i}.pdf", n=i)
               for i in range(5)]
    return case, user, entries


def test_each_row_is_chained_to_the_one_before_in_its_procuratorate(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, user, entries = trail
    org = world.orgs["540528"]
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(e.org_id == org.pk for e in entries)
    prev = chain.GENESIS
    for e in AuditEntry.objects.filter(org=org).order_by("seq"):
        assert e.hash == chain.link(prev, e.chain_content())
        prev = e.hash
    head = ChainHead.objects.get(key=f"audit:{org.pk}")
    assert (head.seq, head.hash) == (5, prev)
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert events and events[0].seq == 1 and all(ev.org_id == org.pk for ev in events)
    # Another procuratorate has its own chain, starting at 1.
    other = record(AuditEntry.Kind.EXPORT, acting_user=world.user("540500", "kongshen"), reason="导出")
    assert (other.org_id, other.seq) == (world.orgs["540500"].pk, 1)
    # A row without organisation (no signed-in user) joins the chain of rows without one.
    nobody = record(AuditEntry.Kind.SEARCH, acting_user=None, reason="系统")
    assert (nobody.org_id, nobody.seq) == (None, 1)


def test_the_hash_is_an_hmac_under_the_audit_key_not_a_plain_hash(trail, settings) -> None:  # type: ignore[no-untyped-def]
    _, _, entries = trail
    first = AuditEntry.objects.get(pk=entries[0].pk)
    plain = hashlib.sha256(chain.GENESIS.encode() + b"\n" + first.chain_content()).hexdigest()
    assert first.hash != plain
    settings.AUDIT_KEY = "another-key"
    assert chain.link(chain.GENESIS, first.chain_content()) != first.hash


def test_a_clean_trail_verifies_with_counts(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = trail
    n_events = CaseEvent.objects.count()
    out, err = verify()
    assert err == ""
    assert f"{world.orgs['540528'].name}：5 条，链完好，链头 序号 5" in out
    assert f"共核对 {5 + n_events} 条记录" in out
    out, _ = verify("--org", "540528")
    assert f"共核对 {5 + n_events} 条记录" in out


def test_an_unknown_org_is_refused_in_chinese(trail) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="找不到机构：999999"):
        verify("--org", "999999")


def test_an_audit_row_edited_in_the_database_is_the_first_broken_link(world, trail) -> None:  # type: ignore[no-untyped-def]
    _, _, entries = trail
    victim = entries[2]
    sql("UPDATE audit_auditentry SET reason = %s WHERE id = %s", "改过的理由", victim.pk)
    err = broken()
    assert f"audit 链（{world.orgs['540528'].name}）第 {victim.pk} 行：哈希不符" in err
    assert victim.hash in err  # what is stored, beside what it should be
    assert err.count("第一个断点") == 1  # the case-event chain is intact


@pytest.mark.parametrize("column,value", [("at", "2020-01-01 00:00:00"), ("actor_id", None), ("detail", '{"n": 99}')])
def test_any_hashed_field_edited_is_found(trail, column: str, value: object) -> None:  # type: ignore[no-untyped-def]
    _, _, entries = trail
    sql(f"UPDATE audit_auditentry SET {column} = %s WHERE id = %s", value, entries[1].pk)  # noqa: S608
    assert f"第 {entries[1].pk} 行：哈希不符" in broken()


def test_a_case_event_edited_in_the_database_is_found(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = trail
    event = CaseEvent.objects.filter(case=case).order_by("seq")[0]
    sql("UPDATE cases_caseevent SET note = %s WHERE id = %s", "篡改", event.pk)
    err = broken("--org", "540528")
    assert f"case_event 链（{world.orgs['540528'].name}）第 {event.pk} 行：哈希不符" in err


def test_a_row_deleted_in_the_middle_breaks_the_link_at_the_next_row(trail) -> None:  # type: ignore[no-untyped-def]
    _, _, entries = trail
    sql("DELETE FROM audit_auditentry WHERE id = %s", entries[1].pk)
    err = broken()
    assert f"第 {entries[2].pk} 行：序号不连续" in err
    assert "应为 序号 2，实为 序号 3" in err


def test_the_last_row_deleted_is_found_by_the_chain_head(trail) -> None:  # type: ignore[no-untyped-def]
    _, _, entries = trail
    sql("DELETE FROM audit_auditentry WHERE id = %s", entries[-1].pk)
    err = broken()
    assert "链头：链尾不符" in err
    assert f"应为 序号 5 {entries[-1].hash}" in err


def test_a_row_inserted_in_the_database_is_found(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, user, entries = trail
    org = world.orgs["540528"]
    # The intruder continues the chain as best they can without the key: a plain SHA-256 link, and
    # the chain head moved on too.
    forged = {"kind": "download", "actor_id": user.pk, "at": clock.now(), "case_id": case.pk, "person_id": None,
              "field": "伪造", "reason": "", "detail": {}, "org_id": org.pk, "seq": 6}
    content = chain.canonical("audit", forged, AuditEntry.chain_fields())
    fake = hashlib.sha256(entries[-1].hash.encode() + b"\n" + content).hexdigest()
    sql("INSERT INTO audit_auditentry (kind, actor_id, at, case_id, field, reason, detail, org_id, seq, hash) "
        "VALUES ('download', %s, %s, %s, '伪造', '', '{}', %s, 6, %s)", user.pk, forged["at"], case.pk, org.pk, fake)
    sql("UPDATE audit_chainhead SET seq = 6, hash = %s WHERE key = %s", fake, f"audit:{org.pk}")
    new_id = AuditEntry.objects.get(seq=6, org=org).pk
    err = broken()
    assert f"第 {new_id} 行：哈希不符（本行内容被修改，或本行是插入的）" in err


def test_a_row_inserted_between_two_rows_is_found(trail) -> None:  # type: ignore[no-untyped-def]
    _, user, entries = trail
    # Make room by moving the last rows one place on, then slip a row into the gap.
    for e in reversed(entries[3:]):
        sql("UPDATE audit_auditentry SET seq = seq + 1 WHERE id = %s", e.pk)
    sql("INSERT INTO audit_auditentry (kind, actor_id, at, field, reason, detail, org_id, seq, hash) "
        "VALUES ('export', %s, %s, '', '插入', '{}', %s, 4, %s)", user.pk, clock.now(), entries[0].org_id, "f" * 64)
    inserted = AuditEntry.objects.get(reason="插入")
    assert f"第 {inserted.pk} 行：哈希不符" in broken()


def test_rows_cannot_be_changed_or_deleted_through_the_orm(trail) -> None:  # type: ignore[no-untyped-def]
    case, _, entries = trail
    e = AuditEntry.objects.get(pk=entries[0].pk)
    e.reason = "改"
    with pytest.raises(ValueError, match="审计记录不可修改"):
        e.save()
    with pytest.raises(ValueError, match="审计记录不可删除"):
        e.delete()
    with pytest.raises(ValueError, match="审计记录不可修改"):
        AuditEntry.objects.filter(pk=e.pk).update(reason="改")
    with pytest.raises(ValueError, match="审计记录不可删除"):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValueError, match="案件日志不可修改"):
        CaseEvent.objects.filter(case=case).update(note="改")
    with pytest.raises(ValueError, match="案件日志不可删除"):
        CaseEvent.objects.filter(case=case)[0].delete()
    verify()  # nothing changed


def test_bulk_create_chains_in_list_order(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, user, _ = trail
    before = CaseEvent.objects.filter(org=case.handling_org).count()
    rows = CaseEvent.objects.bulk_create([
        CaseEvent(case=case, kind=CaseEvent.Kind.RECORD, action=f"bulk{i}", actor=user, at=clock.now(), data={"i": i})
        for i in range(4)])
    assert [r.seq for r in rows] == [before + 1, before + 2, before + 3, before + 4]
    verify()
    with pytest.raises(ValueError, match="不能忽略或更新冲突"):
        CaseEvent.objects.bulk_create([CaseEvent(case=case, action="x", at=clock.now())], ignore_conflicts=True)


def test_each_write_costs_the_same_number_of_queries(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, user, _ = trail
    counts = []
    for i in range(6):
        with CaptureQueriesContext(connection) as q:
            record(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=case, field=f"f{i}")
        counts.append(len(q.captured_queries))
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 5, [x["sql"] for x in q.captured_queries]
    with CaptureQueriesContext(connection) as q:
        CaseEvent.objects.bulk_create([CaseEvent(case=case, action=f"b{i}", at=clock.now()) for i in range(50)])
    assert len(q.captured_queries) <= 6  # one lock and one head update for the whole batch


def test_rows_written_before_chaining_are_chained_in_order_by_the_migration_step(world, trail) -> None:  # type: ignore[no-untyped-def]
    _, _, entries = trail
    # As the rows stood before the migration: no org, place or hash, no chain heads (seq = -id only
    # to get past the unique index, which the migration builds after this step).
    sql("UPDATE audit_auditentry SET org_id = NULL, seq = -id, hash = ''")
    ChainHead.objects.filter(table="audit").delete()
    n = chain.chain_existing(AuditEntry, ChainHead, "audit", AuditEntry.chain_fields(),
                             lambda row: row.case.handling_org_id, using="default")
    assert n == 5
    assert list(AuditEntry.objects.order_by("pk").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    verify()


def test_payloads_hash_as_the_database_gives_them_back(world, trail) -> None:  # type: ignore[no-untyped-def]
    case, user, _ = trail
    record(AuditEntry.Kind.EXPORT, acting_user=user, case=case, rows=3, ratio=0.1, names=("甲", "乙"),
           nested={"b": [1, {"z": None}], "a": "中文"})
    verify()
    stored = AuditEntry.objects.order_by("-seq")[0]
    assert json.loads(json.dumps(stored.detail)) == stored.detail


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_at_the_same_moment_never_fork_an_organisations_chain(world) -> None:  # type: ignore[no-untyped-def]
    """Checked on PostgreSQL (DATABASE_URL) too: the chain head's row lock orders the writers."""
    case = world.clue("540528")
    users = [world.user("540528", "kongshen"), world.user("540528", "dept_head"), world.user("540528", "chief")]

    def writer(user):  # type: ignore[no-untyped-def]
        def run() -> int:
            for i in range(15):
                record(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=case, field=f"{user.pk}-{i}")
                CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RECORD, action="race", actor=user,
                                         at=clock.now())
            return 15
        return run

    results = race(*(writer(u) for u in users))
    assert results == [15, 15, 15], results
    org = world.orgs["540528"]
    assert list(AuditEntry.objects.filter(org=org).order_by("seq").values_list("seq", flat=True)) == list(range(1, 46))
    events = CaseEvent.objects.filter(org=org).count()
    assert list(CaseEvent.objects.filter(org=org).order_by("seq").values_list("seq", flat=True)) == \
        list(range(1, events + 1))
    verify()


# Text the databases store at all (PostgreSQL refuses NUL and lone surrogates in JSON, before any hashing).
_text = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(_text, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(_text, max_size=8), inner, max_size=4),
    max_leaves=12,
)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(st.text(_text, min_size=1, max_size=8), _json, max_size=5))
def test_any_json_payload_hashes_the_same_after_the_database_round_trip(trail, payload) -> None:  # type: ignore[no-untyped-def]
    """Whatever JSON a writer puts in detail/data, the stored row verifies (jsonb reorders keys, drops
    a float's exponent)."""
    case, user, _ = trail
    entry = AuditEntry.objects.create(kind=AuditEntry.Kind.EXPORT, actor=user, at=clock.now(), case=case,
                                      detail=payload)
    event = CaseEvent.objects.create(case=case, action="prop", at=clock.now(), data=payload)
    for model, row in ((AuditEntry, entry), (CaseEvent, event)):
        fields = model.chain_fields()
        stored = model.objects.filter(pk=row.pk).values(*fields).get()
        assert chain.canonical(model.CHAIN_TABLE, stored, fields) == row.chain_content(), payload
