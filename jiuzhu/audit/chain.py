"""Tamper-evident hash chains over the audit trail and the case timeline (issue 11, finding 9).

Every AuditEntry and CaseEvent row carries `seq` (its place in its chain, from 1) and `hash`:

    hash = HMAC-SHA256(JIUZHU_AUDIT_KEY, prev_hash || "\\n" || canonical JSON of the row's content)

where prev_hash is the hash of the row before it in the same chain (64 zeros for the first row) and
the content is every field that says what happened (time, actor, organisation, kind, object, payload,
seq). There is one chain per table and organisation, plus one per table for rows without an
organisation. The HMAC key lives outside the database, so someone who can write to the database but
has not got the key cannot recompute a chain after editing, deleting or inserting a row.

A per-chain head row (ChainHead: last seq and hash) is locked with SELECT ... FOR UPDATE inside the
writer's transaction, so two rows written at once for one organisation never fork the chain; the head
also lets `jiuzhu verify-audit` see rows cut off the end of a chain.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from jiuzhu.lib.models import AppendOnly

GENESIS = "0" * 64


class ChainHead(models.Model):
    """The last link of one hash chain (a table and an organisation): locked by every writer."""

    key = models.CharField(max_length=40, unique=True)  # "<table>:<org id>" or "<table>:-"
    table = models.CharField(max_length=20)
    org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"{self.key} #{self.seq}"


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot chain a value of type {type(value).__name__}")


def _numbers(value: Any) -> Any:
    """Write a whole-valued float as the int of its decimal text, as PostgreSQL's jsonb gives it back
    (3.602879701896397e+16 comes back as 36028797018963970, not the float's exact 36028797018963968)."""
    if isinstance(value, float) and value.is_integer():
        return int(Decimal(repr(value)))
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def canonical(table: str, values: dict[str, Any], fields: Sequence[str]) -> bytes:
    """Return the canonical serialisation of a row's content: sorted-key JSON, UTF-8, no spaces.

    VALUES maps attribute names (`actor_id`, not `actor`) to values, as a model instance or
    `QuerySet.values()` gives them; JSON payloads are normalised by a round trip first, so a tuple
    hashes as the list the database gives back.
    """
    content: dict[str, Any] = {"table": table}
    for name in fields:
        value = values[name]
        if isinstance(value, dict | list | tuple):
            value = _numbers(json.loads(json.dumps(value, default=_default)))
        content[name] = value
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_default).encode()


def _key() -> bytes:
    return settings.AUDIT_KEY.encode()


def link(prev_hash: str, content: bytes, *, key: bytes | None = None) -> str:
    """Return the hash of a row whose predecessor has PREV_HASH and whose content is CONTENT."""
    return hmac.new(key if key is not None else _key(), prev_hash.encode() + b"\n" + content,
                    hashlib.sha256).hexdigest()


def head_key(table: str, org_id: int | None) -> str:
    return f"{table}:{org_id if org_id is not None else '-'}"


def lock_head(table: str, org_id: int | None, *, using: str, head_model: Any = None) -> Any:
    """Return the chain head of (TABLE, ORG_ID) locked for update, creating it on first use.

    Must run inside a transaction. Creating uses INSERT … ON CONFLICT DO NOTHING, so two writers
    that both find no head agree on one; the second waits for the first's lock.
    """
    if head_model is None:
        head_model = ChainHead
    key = head_key(table, org_id)
    manager = head_model.objects.using(using)
    head = manager.select_for_update().filter(key=key).first()
    if head is None:
        manager.bulk_create([head_model(key=key, table=table, org_id=org_id, seq=0, hash=GENESIS)],
                            ignore_conflicts=True)
        head = manager.select_for_update().get(key=key)
    return head


class Chained(AppendOnly):
    """Mixin for chained, append-only rows: put it before models.Model (it is an AppendOnly).

    Subclasses set CHAIN_TABLE (the chain's name), CHAIN_FIELDS (attribute names hashed, besides
    `org_id` and `seq` which are always included) and may override chain_org_id() (the organisation
    whose chain the row joins; by default the `org_id` already set).
    """

    CHAIN_TABLE = ""
    CHAIN_FIELDS: tuple[str, ...] = ()

    @classmethod
    def chain_fields(cls) -> tuple[str, ...]:
        return (*cls.CHAIN_FIELDS, "org_id", "seq")

    def chain_org_id(self) -> int | None:
        return self.org_id  # type: ignore[attr-defined,no-any-return]

    def chain_content(self) -> bytes:
        fields = self.chain_fields()
        return canonical(self.CHAIN_TABLE, {f: getattr(self, f) for f in fields}, fields)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:  # type: ignore[attr-defined]
            raise ValueError(f"{self.RECORD_NAME}不可修改。")
        using = kwargs.get("using") or self._state.db or "default"  # type: ignore[attr-defined]
        with transaction.atomic(using=using):
            seal(type(self), [self], using=using)
            super().save(*args, **kwargs)  # type: ignore[misc]


def chain_constraints(prefix: str) -> list[models.BaseConstraint]:
    """One row per place in each chain (the lock already ensures it; this is the database's word)."""
    return [
        models.UniqueConstraint(fields=["org", "seq"], condition=Q(org__isnull=False), name=f"{prefix}_chain_seq"),
        models.UniqueConstraint(fields=["seq"], condition=Q(org__isnull=True), name=f"{prefix}_chain_seq_no_org"),
    ]


def seal(model: Any, rows: Iterable[Any], *, using: str) -> None:
    """Give ROWS (new, unsaved instances of MODEL) their org, seq and hash, in order, under the lock.

    Must run inside the transaction that inserts them. Chains are locked in a fixed order (by
    organisation id, no organisation first) so that a batch spanning several never deadlocks another.
    """
    groups: dict[int | None, list[Any]] = {}
    for row in rows:
        row.org_id = row.chain_org_id()
        groups.setdefault(row.org_id, []).append(row)
    for org_id in sorted(groups, key=lambda o: (o is not None, o or 0)):
        head = lock_head(model.CHAIN_TABLE, org_id, using=using)
        seq, prev = head.seq, head.hash
        for row in groups[org_id]:
            seq += 1
            row.seq = seq
            row.hash = prev = link(prev, row.chain_content())
        type(head).objects.using(using).filter(pk=head.pk).update(seq=seq, hash=prev)


class ChainedQuerySet(models.QuerySet):
    """Rows of a chain are added one by one or by bulk_create (chained in list order), never changed."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError("链式记录不能忽略或更新冲突地批量写入。")
        objs = list(objs)
        with transaction.atomic(using=self.db):
            seal(self.model, objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        raise ValueError(f"{self.model.RECORD_NAME}不可修改。")  # type: ignore[attr-defined]

    def delete(self) -> Any:
        raise ValueError(f"{self.model.RECORD_NAME}不可删除。")  # type: ignore[attr-defined]


def chain_existing(model: Any, head_model: Any, table: str, fields: Sequence[str], org_of: Any,
                   *, using: str) -> int:
    """Chain rows written before chaining existed, in primary-key order (a data migration's step).

    MODEL and HEAD_MODEL are the migration's historical models; ORG_OF(row) gives a row's org id.
    Returns the number of rows chained.
    """
    heads: dict[int | None, tuple[int, str]] = {}
    n = 0
    rows = model._base_manager.using(using)  # a plain manager: the chained one refuses update()
    for row in rows.order_by("pk").iterator(chunk_size=2000):
        org_id = org_of(row)
        seq, prev = heads.get(org_id, (0, GENESIS))
        row.org_id, row.seq = org_id, seq + 1
        row.hash = link(prev, canonical(table, {f: getattr(row, f) for f in fields}, fields))
        rows.filter(pk=row.pk).update(org_id=row.org_id, seq=row.seq, hash=row.hash)
        heads[org_id] = (row.seq, row.hash)
        n += 1
    for org_id, (seq, h) in heads.items():
        head_model.objects.using(using).update_or_create(
            key=head_key(table, org_id), defaults={"table": table, "org_id": org_id, "seq": seq, "hash": h})
    return n


# ---------------------------------------------------------------------------------------------
# Verification


class BrokenLink:
    def __init__(self, table: str, org: str, row_id: int | None, problem: str, expected: str, found: str):
        self.table, self.org, self.row_id = table, org, row_id
        self.problem, self.expected, self.found = problem, expected, found

    def __str__(self) -> str:
        where = f"第 {self.row_id} 行" if self.row_id is not None else "链头"
        return (f"{self.table} 链（{self.org}）{where}：{self.problem}；应为 {self.expected}，实为 {self.found}")


def verify_chain(model: Any, org_id: int | None, org_label: str, *, using: str = "default"
                 ) -> tuple[int, BrokenLink | None]:
    """Walk one chain; return (rows checked, the first broken link or None)."""
    table = model.CHAIN_TABLE
    fields = model.chain_fields()
    key = _key()
    prev, expected_seq, n = GENESIS, 1, 0
    rows = model.objects.using(using).filter(org_id=org_id).order_by("seq", "pk")
    for row in rows.values("pk", "hash", *fields).iterator(chunk_size=2000):
        n += 1
        if row["seq"] != expected_seq:
            problem = "序号不连续（其前有记录被删除或插入）" if row["seq"] > expected_seq else "序号重复或倒退（有记录被插入）"
            return n, BrokenLink(table, org_label, row["pk"], problem, f"序号 {expected_seq}", f"序号 {row['seq']}")
        computed = link(prev, canonical(table, row, fields), key=key)
        if not hmac.compare_digest(computed, row["hash"] or ""):
            return n, BrokenLink(table, org_label, row["pk"], "哈希不符（本行内容被修改，或本行是插入的）",
                                 computed, row["hash"] or "（空）")
        prev, expected_seq = row["hash"], expected_seq + 1
    head = ChainHead.objects.using(using).filter(key=head_key(table, org_id)).first()
    last_seq = expected_seq - 1
    if head is None:
        if n:
            return n, BrokenLink(table, org_label, None, "链头缺失", f"序号 {last_seq}", "无链头")
    elif head.seq != last_seq or head.hash != prev:
        return n, BrokenLink(table, org_label, None, "链尾不符（链尾的记录被删除，或链头被修改）",
                             f"序号 {head.seq} {head.hash}", f"序号 {last_seq} {prev}")
    return n, None
