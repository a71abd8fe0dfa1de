"""Key rotation (`jiuzhu rotate-keys`): every encrypted value and every stored file under the newest key.

What it covers:
- every EncryptedTextField of every model (people, bank accounts, custodians, partner contacts,
  screening rows, service records, portal applications, …: found by type, so a new one is included),
  and the encrypted binary columns listed in EXTRA_COLUMNS (an SMS's recipient);
- the blind indexes in BLIND_INDEXES: each is recomputed from the decrypted value and written only
  where it differs, i.e. only when the blind-index key or algorithm changed (no state is kept to know
  which key wrote an index: HMAC of a short value is cheap, the comparison is the check);
- every file of the private store (jiuzhu.lib.storage): re-wrapped data key, re-encrypted when the
  cipher changed, encrypted when it was a legacy plaintext file.

It is resumable and idempotent: rows go in batches by primary key, each batch in its own
transaction, and a checkpoint file records the last key done per model and the last file done, for
one target (newest key id, cipher, blind-index key and algorithm). A run that stops (Ctrl-C, a
crash, --max-batches) resumes there; a row or file already under the newest key is skipped without
being rewritten. Each update is compare-and-set on the old ciphertext, so a value the application
changed meanwhile (always written under the newest key) is left alone. Not covered: the portal's
short-lived session values and one-time codes (minutes to hours; their owners sign in again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from jiuzhu.lib import crypto
from jiuzhu.lib.filecrypt import FileDecryptionError
from jiuzhu.people.fields import EncryptedTextField

# (model label, field name, context) of encrypted columns that are not EncryptedTextFields.
EXTRA_COLUMNS: list[tuple[str, str, str]] = [
    ("notifications.OutboundMessage", "to", "notifications.outboundmessage.to"),
]


def _id_index(value: str) -> str:
    from jiuzhu.people.actions import id_blind_index

    return id_blind_index(value)


def _phone_index(value: str) -> str:
    from jiuzhu.people.phones import phone_index

    return phone_index(value)


# (model label, encrypted source field) → (blind-index field, how it is computed from the plaintext)
BLIND_INDEXES: dict[tuple[str, str], tuple[str, Callable[[str], str]]] = {
    ("people.Person", "id_number"): ("id_number_bidx", _id_index),
    ("support.ScreeningRow", "id_number"): ("id_bidx", _id_index),
    ("portal.OnlineApplication", "phone"): ("phone_bidx", _phone_index),
}


@dataclass
class Column:
    name: str  # model field name
    column: str
    context: str


@dataclass
class Target:
    model: type[Model]
    columns: list[Column]
    indexes: list[tuple[str, str, str, Callable[[str], str]]] = field(default_factory=list)  # source, field, column, fn

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass
class Summary:
    values: int = 0  # encrypted values re-encrypted
    values_current: int = 0  # already under the newest key
    indexes: int = 0  # blind indexes rewritten
    changed_meanwhile: int = 0  # rows the application changed during the run
    files: dict[str, int] = field(default_factory=dict)  # outcome → count
    stopped: bool = False  # --max-batches reached before the end
    damaged: list[str] = field(default_factory=list)  # stored files that could not be decrypted

    def line(self) -> str:
        f = self.files
        text = (f"字段：重新加密 {self.values} 个值，{self.values_current} 个已是最新密钥；盲索引重算 {self.indexes} 个；"
                f"文件：重新封装密钥 {f.get('rewrapped', 0)} 个，重新加密 {f.get('reencrypted', 0)} 个，"
                f"原为明文已加密 {f.get('encrypted', 0)} 个，已是最新 {f.get('skipped', 0)} 个")
        if self.damaged:
            text += f"；{len(self.damaged)} 个文件无法解密（已损坏或密钥缺失，未改动）"
        if self.changed_meanwhile:
            text += f"；运行期间被修改而跳过 {self.changed_meanwhile} 行"
        return text + ("。未完成（已达批次上限），再次运行将从断点继续。" if self.stopped else "。全部完成。")


def targets() -> list[Target]:
    """Every model with encrypted columns, with its columns and blind indexes (sorted, stable)."""
    extra: dict[str, list[tuple[str, str]]] = {}
    for label, name, context in EXTRA_COLUMNS:
        extra.setdefault(label, []).append((name, context))
    out = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.proxy or not model._meta.managed:
            continue
        cols = [Column(f.name, f.column, f._context()) for f in model._meta.concrete_fields
                if isinstance(f, EncryptedTextField)]
        cols += [Column(n, model._meta.get_field(n).column, c) for n, c in extra.get(model._meta.label, [])]
        if not cols:
            continue
        t = Target(model, cols)
        for (label, source), (index, fn) in BLIND_INDEXES.items():
            if label == model._meta.label:
                t.indexes.append((source, index, model._meta.get_field(index).column, fn))
        out.append(t)
    return out


def target_id() -> str:
    """What this rotation moves everything to; a checkpoint for another target is discarded."""
    blind = hashlib.sha256(settings.BLIND_INDEX_KEY.encode()).hexdigest()[:8]
    return f"{crypto.newest_key_id().hex()}:{crypto.configured_cipher()}:{settings.BLIND_INDEX_ALG}:{blind}"


class Checkpoint:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {"target": target_id(), "models": {}, "files": ""}
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("target") == self.data["target"]:
                self.data = saved

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data))
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def count_work(checkpoint: Checkpoint) -> int:
    from django.core.files.storage import default_storage

    rows = sum(t.model._base_manager.filter(pk__gt=checkpoint.data["models"].get(t.label, 0)).count()
               for t in targets())
    files = [n for n in default_storage.all_names() if n > checkpoint.data["files"]]  # type: ignore[attr-defined]
    return rows + len(files)


def _rotate_batch(t: Target, after: int, batch_size: int, summary: Summary) -> tuple[int, int]:
    """Rotate up to BATCH_SIZE rows of T with pk > AFTER; return (rows seen, last pk)."""
    q = connection.ops.quote_name
    table, pk = q(t.model._meta.db_table), q(t.model._meta.pk.column)
    cols = [c.column for c in t.columns]
    index_cols = [i[2] for i in t.indexes]
    select = ", ".join([pk, *map(q, cols), *map(q, index_cols)])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s",  # noqa: S608
                           [after, batch_size])
            rows = cursor.fetchall()
        last = after
        for row in rows:
            last = row[0]
            blobs = {c.name: (bytes(v) if v is not None else None) for c, v in zip(t.columns, row[1:], strict=False)}
            stored_index = dict(zip([i[1] for i in t.indexes], row[1 + len(cols):], strict=True))
            sets: dict[str, Any] = {}
            plain: dict[str, str] = {}
            for c in t.columns:
                blob = blobs[c.name]
                if blob is None:
                    continue
                current = crypto.is_current(blob)
                if current and not any(i[0] == c.name for i in t.indexes):
                    summary.values_current += 1
                    continue
                plain[c.name] = crypto.decrypt_bytes(blob, context=c.context).decode()
                if current:
                    summary.values_current += 1
                else:
                    sets[c.column] = crypto.encrypt_bytes(plain[c.name].encode(), context=c.context)
            n_values = len(sets)
            for source, index, column, fn in t.indexes:
                value = plain.get(source, "")
                if value and (new := fn(value)) != stored_index[index]:
                    sets[column] = new
            if not sets:
                continue
            where = [f"{pk} = %s"] + [f"{q(c.column)} = %s" for c in t.columns if blobs[c.name] is not None]
            params = [*sets.values(), row[0], *[blobs[c.name] for c in t.columns if blobs[c.name] is not None]]
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {', '.join(f'{q(k)} = %s' for k in sets)} "  # noqa: S608
                               f"WHERE {' AND '.join(where)}", params)
                if cursor.rowcount != 1:
                    summary.changed_meanwhile += 1
                    continue
            summary.values += n_values
            summary.indexes += len(sets) - n_values
    return len(rows), last


def rotate(*, checkpoint: Checkpoint, batch_size: int = 500, max_batches: int | None = None,
           full_files: bool = False, progress: Callable[[int], None] | None = None) -> Summary:
    """Rotate every encrypted value, blind index and stored file; see the module docstring."""
    from django.core.files.storage import default_storage

    summary = Summary()
    batches = 0

    def budget_left() -> bool:
        if max_batches is not None and batches >= max_batches:
            summary.stopped = True
            return False
        return True

    for t in targets():
        while True:
            if not budget_left():
                return summary
            after = checkpoint.data["models"].get(t.label, 0)
            seen, last = _rotate_batch(t, after, batch_size, summary)
            if not seen:
                break
            batches += 1
            checkpoint.data["models"][t.label] = last
            checkpoint.save()
            if progress:
                progress(seen)
    default_storage.remove_stale_rotations()  # type: ignore[attr-defined]
    names = [n for n in default_storage.all_names() if n > checkpoint.data["files"]]  # type: ignore[attr-defined]
    for start in range(0, len(names), batch_size):
        if not budget_left():
            return summary
        batch = names[start:start + batch_size]
        for name in batch:
            try:
                outcome = default_storage.rotate(name, full=full_files)  # type: ignore[attr-defined]
            except FileDecryptionError:
                summary.damaged.append(name)  # left as it is; a damaged file must not stop the rotation
                continue
            summary.files[outcome] = summary.files.get(outcome, 0) + 1
        batches += 1
        checkpoint.data["files"] = batch[-1]
        checkpoint.save()
        if progress:
            progress(len(batch))
    checkpoint.clear()
    return summary
