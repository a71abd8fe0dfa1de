"""`jiuzhu backup DIR` and `jiuzhu restore DIR`: the database, the private file store and a manifest.

A backup folder holds:
  database.dump      PostgreSQL: `pg_dump --format=custom` of one snapshot
  database.sqlite3   SQLite: a copy made with SQLite's online backup API
  files/...          the private file store (uploads, documents), copied as bytes: whatever the store
                     holds (encrypted at rest or not) is what comes back
  manifest.json      row counts per table (counted in the same snapshot as the dump), the sha256 and
                     size of the database file and of every stored file

Restore wants an empty database (no tables) and an empty file store; it checks every hash before it
writes anything, restores, then counts every table and hashes every file again against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from jiuzhu.lib import clock

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is in Chinese and English."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_of(root: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not root.exists():
        return out
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[p.relative_to(root).as_posix()] = {"sha256": sha256_of(p), "size": p.stat().st_size}
    return out


def _count_tables(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for t in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(t)}")
        counts[t] = int(cursor.fetchone()[0])
    return counts


def _pg_env_args(db: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name}（apt-get install postgresql-client）/ {name} not found")
    return path


def backup(target: Path, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录不是空的：{target} / the backup folder is not empty")
    target.mkdir(parents=True, exist_ok=True)
    conn = connections[alias]
    conn.ensure_connection()
    vendor = conn.vendor
    db = conn.settings_dict
    if vendor == "postgresql":
        # One REPEATABLE READ snapshot: the counts and pg_dump see exactly the same rows.
        raw = conn.connection
        raw.commit()
        prev = raw.autocommit
        raw.autocommit = False
        try:
            with raw.cursor() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                c.execute("SELECT pg_export_snapshot()")
                snapshot = c.fetchone()[0]
                tables = sorted(conn.introspection.table_names(c))
                counts = _count_tables(c, tables, conn.ops.quote_name)
                env, args = _pg_env_args(db)
                dump = target / "database.dump"
                r = subprocess.run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges",
                                    f"--snapshot={snapshot}", "-f", str(dump), "-d", str(db["NAME"])],
                                   env=env, capture_output=True, text=True)
                if r.returncode:
                    raise BackupError(f"pg_dump 失败 / pg_dump failed: {r.stderr.strip()[-500:]}")
            raw.commit()
        finally:
            raw.autocommit = prev
    elif vendor == "sqlite":
        dump = target / "database.sqlite3"
        dest = sqlite3.connect(dump)
        try:
            conn.connection.backup(dest)
        finally:
            dest.close()
        with sqlite3.connect(dump) as check:
            c = check.cursor()
            tables = sorted(r[0] for r in c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
            counts = _count_tables(c, tables, lambda t: '"' + t.replace('"', '""') + '"')
    else:
        raise BackupError(f"不支持的数据库 / unsupported database: {vendor}")

    files_root = Path(settings.PRIVATE_MEDIA_ROOT)
    dest_files = target / "files"
    dest_files.mkdir()
    if files_root.exists():
        shutil.copytree(files_root, dest_files, dirs_exist_ok=True, copy_function=shutil.copyfile)
    manifest = {
        "format": FORMAT, "created_at": clock.now().isoformat(), "engine": vendor,
        "database": {"file": dump.name, "sha256": sha256_of(dump), "size": dump.stat().st_size},
        "tables": counts, "files": _files_of(dest_files),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return manifest


def verify_folder(source: Path) -> dict[str, Any]:
    """Check the backup folder against its manifest; return the manifest."""
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"没有 {MANIFEST}：{source} 不是备份目录 / not a backup folder")
    manifest = json.loads(path.read_text())
    dump = Path(source) / manifest["database"]["file"]
    if not dump.exists() or sha256_of(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"数据库备份文件缺失或已损坏 / the database file is missing or damaged: {dump.name}")
    found = _files_of(Path(source) / "files")
    if found != manifest["files"]:
        bad = sorted(set(found) ^ set(manifest["files"]) | {k for k in found if found[k] != manifest["files"].get(k)})
        raise BackupError(f"{len(bad)} 个文件与清单不符 / {len(bad)} files differ from the manifest: {bad[:5]}")
    return manifest


def restore(source: Path, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    source = Path(source)
    manifest = verify_folder(source)
    conn = connections[alias]
    conn.ensure_connection()
    if conn.vendor != manifest["engine"]:
        raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {conn.vendor} / engine mismatch")
    with conn.cursor() as c:
        existing = conn.introspection.table_names(c)
    if existing:
        raise BackupError(f"目标数据库不是空的（已有 {len(existing)} 张表）/ the target database is not empty")
    files_root = Path(settings.PRIVATE_MEDIA_ROOT)
    if files_root.exists() and any(p.is_file() for p in files_root.rglob("*")):
        raise BackupError(f"目标文件存储不是空的：{files_root} / the target file store is not empty")

    dump = source / manifest["database"]["file"]
    db = conn.settings_dict
    if conn.vendor == "postgresql":
        conn.close()
        env, args = _pg_env_args(db)
        r = subprocess.run([_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error",
                            "--single-transaction", "-d", str(db["NAME"]), str(dump)],
                           env=env, capture_output=True, text=True)
        if r.returncode:
            raise BackupError(f"pg_restore 失败 / pg_restore failed: {r.stderr.strip()[-500:]}")
    else:
        src = sqlite3.connect(dump)
        try:
            src.backup(conn.connection)
        finally:
            src.close()
        conn.close()

    files_root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "files", files_root, dirs_exist_ok=True, copy_function=shutil.copyfile)
    # Verify what is now in place.
    conn.ensure_connection()
    with conn.cursor() as c:
        tables = sorted(conn.introspection.table_names(c))
        counts = _count_tables(c, tables, conn.ops.quote_name)
    if counts != manifest["tables"]:
        diff = {t: (manifest["tables"].get(t), counts.get(t)) for t in set(counts) | set(manifest["tables"])
                if counts.get(t) != manifest["tables"].get(t)}
        raise BackupError(f"恢复后的行数与清单不符 / row counts differ after restore: {diff}")
    if _files_of(files_root) != manifest["files"]:
        raise BackupError("恢复后的文件与清单不符 / the restored files differ from the manifest")
    return manifest
