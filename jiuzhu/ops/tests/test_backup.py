"""`jiuzhu backup` / `jiuzhu restore`: the demo backed up, restored into another database and file
store, and compared table by table, person by person (decrypted), file by file and in the statistics.

Runs on the engine of the pass: SQLite files on SQLite, two new PostgreSQL databases on PostgreSQL.
Each step is a separate `jiuzhu` process, as an operator would run it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[3]
URL = os.environ.get("DATABASE_URL", "")
PG = URL.startswith(("postgres://", "postgresql://"))
PEEK = """
import hashlib, json
from jiuzhu.people.models import Person
people = [[p.pk, p.name, p.id_number] for p in Person.objects.order_by("pk")[:25]]
print("PEEK=" + json.dumps(people, ensure_ascii=False))
"""


def _pg(query: str) -> None:
    import psycopg

    a = dj_database_url.parse(URL)
    with psycopg.connect(host=a["HOST"], port=a["PORT"] or 5432, user=a["USER"], password=a["PASSWORD"],
                         dbname=a["NAME"], autocommit=True) as conn:
        conn.execute(query)


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def two_databases(tmp_path: Path):  # type: ignore[no-untyped-def]
    if PG:
        names = [f"jiuzhu_bk_{secrets.token_hex(4)}_{s}" for s in "ab"]
        for n in names:
            _pg(f'CREATE DATABASE "{n}"')
        base = URL.rsplit("/", 1)[0]
        yield [f"{base}/{n}" for n in names]
        for n in names:
            _pg(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
    else:
        yield [f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"]


def test_backup_of_the_demo_restores_elsewhere_with_nothing_lost(tmp_path: Path, two_databases) -> None:  # type: ignore[no-untyped-def]
    keys = {"SECRET_KEY": secrets.token_urlsafe(50),
            "JIUZHU_FIELD_KEYS": base64.b64encode(os.urandom(32)).decode(),
            "JIUZHU_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
            "JIUZHU_AUDIT_KEY": secrets.token_urlsafe(32)}
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | keys

    def env(i: int) -> dict[str, str]:
        return base | {"DATABASE_URL": two_databases[i], "JIUZHU_VAR_DIR": str(tmp_path / f"var{i}")}

    def jz(i: int, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([str(ROOT / ".venv/bin/jiuzhu"), *args], env=env(i), cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
        if check:
            assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-3000:])
        return r

    jz(0, "migrate", "--noinput", "-v", "0")
    jz(0, "load-demo", "-v", "0")
    stats_args = ("stats", "--from", "2018-01-01", "--to", "2026-12-31", "--json")
    before_stats = json.loads(jz(0, *stats_args).stdout)
    before_people = jz(0, "shell", "-v", "0", "-c", PEEK).stdout
    before_files = _tree(tmp_path / "var0" / "private")
    assert before_files, "the demo stores no files: nothing to compare"

    out = tmp_path / "backup"
    r = jz(0, "backup", str(out))
    assert "已备份" in r.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["people_person"] > 0 and manifest["tables"]["cases_aidcase"] > 0
    assert {k: v["sha256"] for k, v in manifest["files"].items()} == before_files

    # A backup folder is never overwritten.
    again = jz(0, "backup", str(out), check=False)
    assert again.returncode != 0 and "不是空的" in again.stderr

    r = jz(1, "restore", str(out))
    assert "已恢复并核对" in r.stdout
    # Every table's row count, counted anew in the restored database.
    count_all = ("from django.db import connection\nimport json\n"
                 "c = connection.cursor()\n"
                 "t = sorted(connection.introspection.table_names(c))\n"
                 "print('COUNTS=' + json.dumps({n: c.execute('SELECT count(*) FROM ' + connection.ops.quote_name(n))"
                 ".fetchone()[0] for n in t}))")
    counts = [json.loads(jz(i, "shell", "-v", "0", "-c", count_all).stdout.split("COUNTS=", 1)[1])
              for i in (0, 1)]
    assert counts[0] == counts[1] == manifest["tables"]
    assert jz(1, "shell", "-v", "0", "-c", PEEK).stdout == before_people
    assert "PEEK=[[" in before_people
    assert _tree(tmp_path / "var1" / "private") == before_files
    assert json.loads(jz(1, *stats_args).stdout) == before_stats
    # Nothing left to migrate in the restored database.
    assert "No planned migration operations" in jz(1, "migrate", "--plan").stdout

    # Restore refuses a database that is not empty, and a damaged backup, in Chinese, changing nothing.
    busy = jz(1, "restore", str(out), check=False)
    assert busy.returncode != 0 and "不是空的" in busy.stderr
    victim = next((out / "files").rglob("*.docx"))
    victim.write_bytes(victim.read_bytes() + b"x")
    damaged = jz(0, "restore", str(out), check=False)
    assert damaged.returncode != 0 and "与清单不符" in damaged.stderr
