"""pg_trgm and a GIN trigram index on the person's name, for the search by name (cases.queries.search).

The name is stored in clear (the ID number, phone, address and account are encrypted and searched through
the blind index only), and the search asks `name LIKE '%…%'`: a B-tree cannot serve a pattern that starts
with a wildcard, a trigram index can. PostgreSQL only: pg_trgm is a trusted extension (PostgreSQL 13+), so
the role that owns the database (jiuzhu, docs/operations.md §1) creates it without a superuser. SQLite:
nothing (its LIKE scans; the small installations it serves do not need more).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Search by name: WHERE people_person.name LIKE '%<q>%' (cases.queries.search, the name branch).
    "CREATE INDEX IF NOT EXISTS person_name_trgm_idx ON people_person USING gin (name gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS person_name_trgm_idx"]  # the extension stays: other indexes may use it


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
