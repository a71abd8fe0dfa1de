"""Many processes, one truth: two `scripts/serve` launchers (a web process and a worker each, on two
ports) on one PostgreSQL database, driven by a bounded concurrent mix from threads.

Checked: no 5xx; one application per client reference; the same payment paid from both ports at
once is paid once with one ledger row; 20 decision documents issued at once get 20 consecutive
numbers; the same ledger uploaded from both ports is imported once; every PDF conversion and SMS
is done exactly once; a worker killed (SIGKILL) while it
converts a document has that task taken over by another worker; TERM during a conversion lets it
finish before the launchers exit. Everything it starts it stops; its
database (jiuzhu_mp_<random>) is dropped at the end. Loopback only, fixed counts, timeouts.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[3]
URL = os.environ.get("DATABASE_URL", "")
PG = URL.startswith(("postgres://", "postgresql://"))

pytestmark = pytest.mark.skipif(
    not PG, reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite is one file for one machine, "
                   "and scripts/serve refuses it; this runs in CI's PostgreSQL pass")

APPLICATION: dict[str, Any] = {
    "applicant": {"capacity": "self", "name": "次仁卓玛", "id_number": "540528199001011239", "phone": "13800138000"},
    "victim": {"same_as_applicant": True, "victim_condition": "injured"},
    "case": {"charge": "故意伤害", "what_happened": "被人打伤，加害人无力赔偿。"},
    "harm": {"harm": "左腿骨折。", "family": "一家四口，务农。", "medical_costs": "32000"},
    "received": {"compensation_yuan": "0"},
    "bank": {"address": "加查县安绕镇", "account_holder": "次仁卓玛", "bank_name": "中国农业银行加查县支行",
             "bank_account": "6228480123456789012"},
}
N_REFS, REPEATS, N_PAY, N_PAGES = 10, 3, 6, 40
TIMEOUT = 420  # seconds for the whole drive and drain


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sql(dsn: dict[str, Any], query: str, params: tuple = (), *, dbname: str | None = None,
         autocommit: bool = False) -> list[tuple]:
    import psycopg

    with psycopg.connect(host=dsn["HOST"], port=dsn["PORT"] or 5432, user=dsn["USER"], password=dsn["PASSWORD"],
                         dbname=dbname or dsn["NAME"], autocommit=autocommit) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


class Launcher:
    def __init__(self, env: dict[str, str], port: int, log: Path, *extra: str) -> None:
        self.port, self.log = port, log
        self.proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts/serve"), *extra], cwd=ROOT, start_new_session=True,
            env={**env, "PORT": str(port), "WEB_PROCESSES": "1", "WEB_THREADS": "6", "WORKERS": "1",
                 "GRACE_SECONDS": "20"},
            stdout=log.open("w"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> dict[str, Any]:
        import requests

        deadline, body = time.monotonic() + timeout, {}
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                r = requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5)
                body = r.json()
                if r.status_code == 200:
                    return body
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"port {self.port} not ready: {body}\n{self.log.read_text()[-3000:]}")

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                return self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
                return None
        return self.proc.returncode


def test_two_launchers_two_workers_one_database_keep_every_promise(tmp_path: Path) -> None:
    import requests

    admin = dj_database_url.parse(URL)
    name = f"jiuzhu_mp_{secrets.token_hex(4)}"
    _sql(admin, f'CREATE DATABASE "{name}"', autocommit=True)
    launchers: list[Launcher] = []
    figures: dict[str, Any] = {}
    try:
        secrets_dir = tmp_path / "secrets"
        secrets_dir.mkdir()
        for key, value in (("SECRET_KEY", secrets.token_urlsafe(50)),
                           ("JIUZHU_FIELD_KEYS", base64.b64encode(os.urandom(32)).decode()),
                           ("JIUZHU_BLIND_INDEX_KEY", secrets.token_urlsafe(32)),
                           ("JIUZHU_AUDIT_KEY", secrets.token_urlsafe(32))):
            (secrets_dir / key).write_text(value)
        var = tmp_path / "var"
        env = {k: v for k, v in os.environ.items()
               if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "JIUZHU_FIELD_KEYS", "JIUZHU_BLIND_INDEX_KEY",
                            "JIUZHU_AUDIT_KEY")}
        env.update({
            "DATABASE_URL": URL.rsplit("/", 1)[0] + "/" + name, "JIUZHU_VAR_DIR": str(var),
            "SECRET_KEY_FILE": str(secrets_dir / "SECRET_KEY"),
            "JIUZHU_FIELD_KEYS_FILE": str(secrets_dir / "JIUZHU_FIELD_KEYS"),
            "JIUZHU_BLIND_INDEX_KEY_FILE": str(secrets_dir / "JIUZHU_BLIND_INDEX_KEY"),
            "JIUZHU_AUDIT_KEY_FILE": str(secrets_dir / "JIUZHU_AUDIT_KEY"),
            "JIUZHU_WORKER_HEARTBEAT_SECONDS": "1", "JIUZHU_WORKER_STALE_SECONDS": "10",
            "JIUZHU_METRICS_TOKEN": "mp-metrics-token", "JIUZHU_LOG_FORMAT": "json",
        })
        jiuzhu = str(ROOT / ".venv/bin/jiuzhu")
        t0 = time.monotonic()
        subprocess.run([jiuzhu, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300, cwd=ROOT)
        setup = tmp_path / "setup.json"
        subprocess.run([jiuzhu, "shell", "-v", "0", "-c",
                        f"from jiuzhu.ops.tests import mp_setup; mp_setup.main({str(setup)!r})"],
                       env=env, check=True, timeout=300, cwd=ROOT)
        ids = json.loads(setup.read_text())
        figures["setup_s"] = round(time.monotonic() - t0, 1)

        ports = [_free_port(), _free_port()]
        launchers.append(Launcher(env, ports[0], tmp_path / "serve-a.log"))
        launchers[0].wait_ready()
        launchers.append(Launcher(env, ports[1], tmp_path / "serve-b.log", "--no-migrate"))
        launchers[1].wait_ready()
        mp = dj_database_url.parse(env["DATABASE_URL"])
        # /readyz of the second launcher is satisfied by the first's worker: wait for both heartbeats.
        deadline = time.monotonic() + 90
        while len(workers := dict(_sql(mp, "SELECT worker_id, pid FROM ops_workerheartbeat"))) < 2:
            assert time.monotonic() < deadline, workers
            time.sleep(0.3)
        assert len(workers) == 2, workers

        # One login per user (the session lives in the shared database, so it works on both ports).
        def login(username: str) -> dict[str, str]:
            s = requests.Session()
            base = f"http://127.0.0.1:{ports[0]}"
            s.get(f"{base}/login/", timeout=30)
            r = s.post(f"{base}/login/", data={"username": username, "password": ids["password"],
                                               "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                       allow_redirects=False, timeout=30)
            assert r.status_code == 302, r.text[:500]
            return dict(s.cookies)

        handler, finance, importer = login(ids["handler"]), login(ids["finance"]), login(ids["importer"])
        ledger_bytes = Path(ids["ledger"]).read_bytes()

        def post(port: int, path: str, cookies: dict[str, str], data: dict[str, str]) -> requests.Response:
            return requests.post(f"http://127.0.0.1:{port}{path}", cookies=cookies, allow_redirects=False,
                                 data={**data, "csrfmiddlewaretoken": cookies["csrftoken"]}, timeout=120)

        jobs: list[tuple[str, Any]] = []
        for i in range(N_PAGES):
            path = "/" if i % 4 == 0 else f"/cases/{ids['cases'][i % len(ids['cases'])]}/"
            jobs.append(("page", lambda p=ports[i % 2], path=path: requests.get(
                f"http://127.0.0.1:{p}{path}", cookies=handler, allow_redirects=False, timeout=120)))
        for i in range(N_REFS * REPEATS):
            body = json.dumps({**APPLICATION, "client_reference": f"12309-MP-{i % N_REFS:03d}"})
            jobs.append(("api", lambda p=ports[i % 2], body=body: requests.post(
                f"http://127.0.0.1:{p}/api/v1/applications", data=body, timeout=120,
                headers={"Authorization": f"Bearer {ids['token']}", "Content-Type": "application/json"})))
        for i in range(N_PAY):
            jobs.append(("pay", lambda p=ports[i % 2]: post(p, f"/funds/payments/{ids['payment']}/pay/", finance,
                                                            {"bank_reference": "B-MP-0001"})))
        for i, pk in enumerate(ids["cases"]):
            jobs.append(("issue", lambda p=ports[i % 2], pk=pk: post(
                p, f"/documents/cases/{pk}/issue/grant_decision/", handler, {"payment_method": "lump_sum"})))
        for i in range(2):  # the same ledger uploaded from both ports: imported once
            jobs.append(("import", lambda p=ports[i]: requests.post(
                f"http://127.0.0.1:{p}/stats/import/", cookies=importer, allow_redirects=False, timeout=120,
                data={"csrfmiddlewaretoken": importer["csrftoken"]},
                files={"file": ("ledger.xlsx", ledger_bytes,
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})))
        random.Random(14).shuffle(jobs)

        # Kill the worker that is converting a document, once, while the mix runs.
        killed: dict[str, Any] = {}
        stop_watch = threading.Event()

        def watch() -> None:
            while not stop_watch.is_set() and not killed:
                rows = _sql(mp, "SELECT id, worker_ids FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' "
                                "AND task_path LIKE %s", ("%convert_document%",))
                for task_id, wids in rows:
                    pid = dict(_sql(mp, "SELECT worker_id, pid FROM ops_workerheartbeat")).get(wids[-1])
                    if pid:
                        os.kill(pid, signal.SIGKILL)
                        killed.update(task=str(task_id), worker=wids[-1], pid=pid)
                        return
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        t1 = time.monotonic()
        with ThreadPoolExecutor(max_workers=12) as pool:
            futures = [(kind, pool.submit(fn)) for kind, fn in jobs]
            responses = [(kind, f.result(timeout=TIMEOUT)) for kind, f in futures]
        figures["requests"] = len(responses)
        figures["drive_s"] = round(time.monotonic() - t1, 1)

        # Drain: every task finished (the killed worker's task requeued after its heartbeat went stale).
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            left = _sql(mp, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING') "
                            "AND task_path NOT LIKE %s", ("%daily_sweep%",))[0][0]
            if not left and killed:
                break
            time.sleep(0.5)
        stop_watch.set()
        figures["total_s"] = round(time.monotonic() - t1, 1)

        statuses = [(kind, r.status_code) for kind, r in responses]
        assert not [s for s in statuses if s[1] >= 500], statuses
        by_kind: dict[str, list[int]] = {}
        for kind, code in statuses:
            by_kind.setdefault(kind, []).append(code)
        assert set(by_kind["page"]) == {200}, by_kind["page"]
        assert sorted(by_kind["api"]).count(201) == N_REFS and set(by_kind["api"]) <= {200, 201}, by_kind["api"]
        assert set(by_kind["pay"]) == {302} and set(by_kind["issue"]) == {302}, by_kind
        assert by_kind["import"] == [302, 302], by_kind["import"]

        # One application per client reference.
        apps = _sql(mp, "SELECT client_reference, count(*) FROM portal_onlineapplication GROUP BY client_reference")
        assert len(apps) == N_REFS and all(n == 1 for _, n in apps), apps
        # One payment, one ledger row.
        assert _sql(mp, "SELECT status FROM funds_payment WHERE id = %s", (ids["payment"],)) == [("paid",)]
        assert _sql(mp, "SELECT count(*) FROM funds_ledgerentry WHERE kind = 'payment'") == [(1,)]
        # 20 consecutive document numbers, each with its PDF, each converted by exactly one successful task.
        docs = _sql(mp, "SELECT id, number, pdf, pdf_sha256 FROM documents_issueddocument "
                        "WHERE kind = 'grant_decision' AND status = 'issued'")
        assert len(docs) == len(ids["cases"])
        seq = sorted(int(re.search(r"(\d+)号$", n).group(1)) for _, n, _, _ in docs)  # type: ignore[union-attr]
        assert seq == list(range(seq[0], seq[0] + len(docs))), seq
        assert all(pdf and sha for _, _, pdf, sha in docs), docs
        conv = _sql(mp, "SELECT args_kwargs, status, worker_ids FROM django_tasks_database_dbtaskresult "
                        "WHERE task_path LIKE %s", ("%convert_document%",))
        # Every issued document (the decisions, and the 审批表 made when each route completed) converted once.
        issued = _sql(mp, "SELECT id FROM documents_issueddocument WHERE status = 'issued'")
        assert sorted(a["args"][0] for a, _, _ in conv) == sorted(d[0] for d in issued)
        assert {d[0] for d in docs} <= {d[0] for d in issued}
        assert {s for _, s, _ in conv} == {"SUCCESSFUL"}, conv
        # The killed worker's task was taken over by another worker and finished.
        assert killed, "no conversion was caught running"
        status, wids = _sql(mp, "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
                            (killed["task"],))[0]
        assert status == "SUCCESSFUL" and len(wids) >= 2 and wids[-1] != killed["worker"], (status, wids, killed)
        # The ledger uploaded twice at once: both jobs finished, its cases imported once.
        jobs_done = _sql(mp, "SELECT status, imported, skipped FROM stats_ledgerimport")
        assert [s for s, _, _ in jobs_done] == ["done", "done"], jobs_done
        assert sum(i for _, i, _ in jobs_done) == ids["ledger_rows"], jobs_done
        assert _sql(mp, "SELECT count(*) FROM cases_aidcase WHERE channel = 'ledger'") == [(ids["ledger_rows"],)]
        # Every SMS sent exactly once: one outbox line per message record, all sent.
        msgs = _sql(mp, "SELECT state, text FROM notifications_outboundmessage")
        assert msgs and {s for s, _ in msgs} == {"sent"}, msgs
        outbox = (var / "sms-outbox.log").read_text(encoding="utf-8").splitlines()
        assert len(outbox) == len(msgs), (len(outbox), len(msgs))
        tasks = _sql(mp, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
        figures.update(tasks=dict(tasks), sms=len(msgs), ledger_jobs=jobs_done, documents=len(docs), applications=len(apps),
                       killed=killed, restarts_logged=sum(
                           "exited with code" in lr.log.read_text() for lr in launchers))

        # Metrics and readiness from both ports after the storm.
        for p in ports:
            m = requests.get(f"http://127.0.0.1:{p}/metrics", timeout=30,
                             headers={"Authorization": "Bearer mp-metrics-token"})
            assert m.status_code == 200 and "jiuzhu_task_queue_depth 0.0" in m.text, m.text[-2000:]
            assert requests.get(f"http://127.0.0.1:{p}/readyz", timeout=30).status_code == 200
        # Graceful stop: TERM while a worker converts a document; the conversion still finishes.
        r = post(ports[0], f"/documents/cases/{ids['last_case']}/issue/grant_decision/", handler,
                 {"payment_method": "lump_sum"})
        assert r.status_code == 302
        deadline = time.monotonic() + 60
        running: list[tuple] = []
        while time.monotonic() < deadline and not running:
            running = _sql(mp, "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' "
                               "AND task_path LIKE %s", ("%convert_document%",))
            time.sleep(0.05)
        assert running, "the last conversion was not seen running"
        codes = [lr.stop() for lr in launchers]
        assert _sql(mp, "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s",
                    (running[0][0],)) == [("SUCCESSFUL",)]
        figures["graceful_stop"] = "conversion finished after TERM"
    finally:
        codes = [lr.stop() for lr in launchers]
        figures["stop_codes"] = codes
        print("multi-process figures:", json.dumps(figures, ensure_ascii=False))  # noqa: T201
        _sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', autocommit=True)
    assert codes == [0, 0], [lr.log.read_text()[-2000:] for lr in launchers]
