"""Benchmark: the ledger import and the statistics screen at a small and a large number of cases.

In one run (the small size is the baseline): import a generated ledger of N rows (joint cases,
refusals, key groups, services) through the real import action, then time `compute()` and the
statistics screen for the city's statistician, printing queries and median milliseconds. Not a test:
`.venv/bin/python bench/stats.py --small 200 --large 5000`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
tmp = tempfile.mkdtemp(prefix="jiuzhu-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings_test")
os.environ["JIUZHU_VAR_DIR"] = tmp
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ALLOWED_HOSTS.append("testserver")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from jiuzhu.stats.tests.helpers import ORG_CODES, id_number, workbook  # noqa: E402


def ledger_rows(n: int, offset: int) -> list[dict]:
    rows = []
    for j in range(n):
        i = offset + j
        day = dt.date(2018, 1, 1) + dt.timedelta(days=i % 2900)
        grant = i % 10 != 0
        rows.append({"案件编号": f"B{i}", "承办院": ORG_CODES[i % 13], "申请人姓名": f"人{i}",
                     "身份证号码": id_number(i % 1000, birth=f"19{50 + (i // 1000) % 40}{1 + i // 40000 % 12:02d}01"),
                     "人员类别": "妇女、老年人" if i % 3 == 0 else "", "救助情形": "E1", "受理日期": day,
                     "决定日期": day + dt.timedelta(days=5), "决定结果": "救助" if grant else "不予救助",
                     "救助金额(元)": "10000.00" if grant else None,
                     "联合救助出资": f"540500:6000.00;{ORG_CODES[1 + i % 12]}:4000.00" if grant and i % 4 == 0 else None,
                     "发放方式": "一次性" if grant else None, "法律服务(人次)": 1 if i % 5 == 0 else None})
    return rows


def measure(client: Client, url: str, repeat: int = 5) -> tuple[int, float]:
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
    return len(q), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=5000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load-demo", "--orgs-only", verbosity=0)
    from jiuzhu.accounts.models import User
    from jiuzhu.stats import ledger

    client = Client()
    client.force_login(User.objects.get(username="shannan_stats"))
    url = "/stats/?org=540500&start=2018-01-01&end=2026-11-29"
    done = 0
    for size in (args.small, args.large):
        rows = ledger_rows(size - done, done)
        start = time.perf_counter()
        checked = ledger.check(workbook(rows))
        checked_s = time.perf_counter() - start
        start = time.perf_counter()
        ledger.import_rows(checked, acting_user=None)
        import_s = time.perf_counter() - start
        done = size
        queries, ms = measure(client, url)
        print(f"{size:>7} cases  check {checked_s:6.2f} s  import {import_s:6.2f} s ({len(rows)} rows)  "
              f"statistics screen: {queries} queries, median {ms:7.1f} ms")


if __name__ == "__main__":
    main()
