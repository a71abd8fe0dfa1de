"""GIN trigram indexes on the case numbers, for the search (cases.queries.search): a search term is looked for
in the aid case's number and the original case's 案号 as well as in the names, `UPPER(number) LIKE
UPPER('%…%')` (icontains), which only a trigram index serves. PostgreSQL only (pg_trgm, created by
people 0002); SQLite: nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Search by case number: WHERE UPPER(cases_aidcase.number) LIKE UPPER('%<q>%').
    "CREATE INDEX IF NOT EXISTS case_number_trgm_idx ON cases_aidcase USING gin (UPPER(number) gin_trgm_ops)",
    # Search by the original case's 案号: WHERE UPPER(cases_originalcase.case_number) LIKE UPPER('%<q>%').
    "CREATE INDEX IF NOT EXISTS original_case_number_trgm_idx ON cases_originalcase "
    "USING gin (UPPER(case_number) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS case_number_trgm_idx", "DROP INDEX IF EXISTS original_case_number_trgm_idx"]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_handling_org_indexed_by_the_worklist"),
        ("people", "0002_person_name_trgm_idx"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
