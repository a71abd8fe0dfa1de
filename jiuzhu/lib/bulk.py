"""Set-based inserts of many rows of one model without building model instances (the ledger import's path).

`insert(Model, fields, rows)` writes ROWS (tuples in the order of FIELDS, attribute names such as
`case_id`) with one multi-row INSERT per batch, and returns the new primary keys in order when asked.
It does what `QuerySet.bulk_create` does for plain rows — every other column gets its default (or the
time, for `auto_now`/`auto_now_add`), each value goes through its field's `get_db_prep_save` (so
encrypted fields are encrypted, dates, decimals and JSON adapted for the backend) — without the
per-object cost of `Model.__init__` and the SQL compiler, which made bulk_create most of the import's
time. Like bulk_create it sends no signals and calls no `save()`; chained rows (`audit.chain.Chained`)
must be sealed by the caller first (`chain.seal`), in the order they are given here.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone


def _plain_text(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _converter(field: models.Field, connection: Any) -> Callable[[Any], Any] | None:
    """How a value of FIELD is made ready for the driver (None: as it is)."""
    if isinstance(field, models.ForeignKey):
        return None  # an id
    if isinstance(field, (models.CharField, models.TextField)) and \
            type(field).get_db_prep_value is models.Field.get_db_prep_value:
        return _plain_text  # a TextChoices member goes in as its value
    if type(field) is models.DateField:
        return connection.ops.adapt_datefield_value  # a date (the ledger's rows hold dates, not text)
    if type(field) is models.DecimalField:
        def decimal(value: Any) -> Any:
            return connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        return decimal  # a Decimal, already quantized by the caller
    return lambda value: field.get_db_prep_save(value, connection)


def insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *,
           returning: bool = False, using: str = "default") -> list[int]:
    """Insert ROWS (value tuples in the order of FIELDS) into MODEL's table; the new ids in order if RETURNING."""
    if not rows:
        return []
    connection = connections[using]
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    convert = [_converter(f, connection) for f in given]
    now = timezone.now()
    constants: list[tuple[models.Field, Any]] = []
    for f in meta.concrete_fields:
        if f.attname in fields or f.primary_key or getattr(f, "generated", False):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants.append((f, f.get_db_prep_save(now, connection)))
        elif getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            continue  # the database fills it
        else:
            constants.append((f, f.get_db_prep_save(f.get_default(), connection)))
    tail = tuple(v for _, v in constants)
    qn = connection.ops.quote_name
    table, pk = qn(meta.db_table), meta.pk.column
    names = [f.column for f in [*given, *(f for f, _ in constants)]]

    converted = [(j, c) for j, c in enumerate(convert) if c is not None]

    def prepared(row: Sequence[Any]) -> list[Any]:
        if len(row) != len(given):
            raise ValueError(f"{meta.label}: {len(row)} values for {len(given)} fields")
        values = [*row, *tail]
        for j, c in converted:
            values[j] = c(values[j])
        return values

    if connection.vendor == "postgresql":
        return _copy(connection, table, pk, names, [prepared(row) for row in rows], returning=returning)
    columns = ", ".join(qn(name) for name in names)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    ids: list[int] = []
    size = max(1, min(1000, (connection.features.max_query_params or 65535) // len(names)))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), size):
            batch = rows[first:first + size]
            params = [v for row in batch for v in prepared(row)]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(batch))}"
            if returning:
                cursor.execute(sql + f" RETURNING {qn(pk)}", params)
                ids.extend(r[0] for r in cursor.fetchall())
            else:
                cursor.execute(sql, params)
    return ids


def _copy(connection: Any, table: str, pk: str, names: list[str], rows: list[list[Any]], *,
          returning: bool) -> list[int]:
    """PostgreSQL: the ids drawn from the table's sequence in one query, the rows sent by COPY.

    (A multi-row INSERT of thousands of rows spends most of its time in psycopg splitting the
    statement at its placeholders; COPY has none.) The COPY is logged like a query, so that
    query counts (CaptureQueriesContext) see it."""
    qn = connection.ops.quote_name
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table.strip('"'), pk, len(rows)])
            ids = [r[0] for r in cursor.fetchall()]
            names = [pk, *names]
            rows = [[i, *row] for i, row in zip(ids, rows, strict=True)]
        sql = f"COPY {table} ({', '.join(qn(n) for n in names)}) FROM STDIN"
        start = time.monotonic()
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # IntegrityError, as Django's
            for row in rows:
                copy.write_row(row)
        if connection.queries_logged:
            connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows",
                                           "time": f"{time.monotonic() - start:.3f}"})
    return ids
