"""scripts/serve: what it refuses, and (on SQLite with --allow-sqlite) that it serves, restarts a
crashed worker and stops gracefully on TERM. The PostgreSQL pass runs it for real in
test_multiprocess.py."""

from __future__ import annotations

import base64
import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]
SERVE = str(ROOT / "scripts" / "serve")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "JIUZHU_FIELD_KEYS", "JIUZHU_BLIND_INDEX_KEY",
                        "JIUZHU_AUDIT_KEY", "DATABASE_URL")}
    keys = tmp_path / "keys"
    keys.mkdir(exist_ok=True)
    for name, value in (("SECRET_KEY", "k" * 50), ("JIUZHU_FIELD_KEYS", base64.b64encode(os.urandom(32)).decode()),
                        ("JIUZHU_BLIND_INDEX_KEY", "b" * 32), ("JIUZHU_AUDIT_KEY", "a" * 32)):
        (keys / name).write_text(value)
        env[f"{name}_FILE"] = str(keys / name)
    env.update(JIUZHU_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               JIUZHU_WORKER_HEARTBEAT_SECONDS="1", **extra)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", SERVE, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_it_refuses_sqlite_without_allow_sqlite(tmp_path: Path) -> None:
    r = _run(_env(tmp_path))
    assert r.returncode != 0 and "--allow-sqlite" in r.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # nothing migrated


def test_it_refuses_to_start_without_the_secrets(tmp_path: Path) -> None:
    env = _env(tmp_path)
    del env["JIUZHU_FIELD_KEYS_FILE"]
    r = _run(env, "--allow-sqlite")
    assert r.returncode != 0 and "JIUZHU_FIELD_KEYS" in r.stderr
    env["JIUZHU_FIELD_KEYS_FILE"] = str(tmp_path / "missing")
    assert "不可读" in _run(env, "--allow-sqlite").stderr


def test_it_refuses_bad_numbers_and_no_database(tmp_path: Path) -> None:
    assert "WEB_PROCESSES" in _run(_env(tmp_path, WEB_PROCESSES="two"), "--allow-sqlite").stderr
    env = _env(tmp_path)
    del env["DATABASE_URL"]
    assert "DATABASE_URL" in _run(env).stderr


def test_it_serves_restarts_a_crashed_worker_and_stops_on_term(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env(tmp_path, PORT=str(port), WEB_PROCESSES="1", WEB_THREADS="2", WORKERS="1", GRACE_SECONDS="10",
               JIUZHU_DEBUG="True")
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(["bash", SERVE, "--allow-sqlite"], env=env, cwd=ROOT, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    db = tmp_path / "db.sqlite3"

    def heartbeat_pids() -> list[int]:
        try:
            with sqlite3.connect(db, timeout=5) as c:
                return [r[0] for r in c.execute("SELECT pid FROM ops_workerheartbeat")]
        except sqlite3.Error:
            return []

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200 and heartbeat_pids():
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)
        else:
            raise AssertionError(log.read_text()[-3000:])
        r = requests.get(f"http://127.0.0.1:{port}/login/", timeout=10)
        assert r.status_code == 200 and "X-Request-ID" in r.headers
        # DEBUG is off whatever the caller's environment says: an unknown page is the plain 404.
        nf = requests.get(f"http://127.0.0.1:{port}/no-such-page/", timeout=10)
        assert nf.status_code == 404 and "URLconf" not in nf.text

        first = heartbeat_pids()[0]
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not [p for p in heartbeat_pids() if p != first]:
            time.sleep(0.3)
        assert [p for p in heartbeat_pids() if p != first], log.read_text()[-2000:]
        assert "exited with code" in log.read_text()
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=40)
    text = log.read_text()
    assert rc == 0 and "stopping gracefully" in text and "stopped" in text, text[-2000:]
    # A worker that stops gracefully removes its heartbeat.
    assert [p for p in heartbeat_pids() if p != first] == []
