"""Benchmark: does the worklist stay fast as a province's cases pile up?

Measures the worklist and the case page for a county user at a small and a large number of cases,
in the same run (the small size is the baseline), and prints queries and median times. Not a test:
run it by hand, e.g. `.venv/bin/python bench/worklist.py --small 500 --large 20000`.

The bulk of the cases is copied with bulk_create from cases built through the real actions (a
benchmark needs volume, not history); every copy has its own person, deadlines and group tags.
"""

from __future__ import annotations

import argparse
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


def grow(n: int) -> None:
    """Add copies of the demo's cases until the database holds N cases."""
    from jiuzhu.cases.models import AidCase, CaseGroup, CaseParty, Deadline
    from jiuzhu.people.models import Person

    templates = list(AidCase.objects.filter(handling_org__code__in=["540528", "540527", "540500"]))
    have = AidCase.objects.count()
    batch = 2000
    i = have
    while i < n:
        size = min(batch, n - i)
        people = Person.objects.bulk_create([Person(name=f"测试{i + k}") for k in range(size)])
        cases = []
        for k, person in enumerate(people):
            t = templates[(i + k) % len(templates)]
            cases.append(AidCase(number=f"B-{i + k}", handling_org_id=t.handling_org_id, status=t.status,
                                 channel=t.channel, raised_on=t.raised_on, applicant=person, handler_id=t.handler_id,
                                 decided_amount=t.decided_amount, decided_on=t.decided_on, decision=t.decision,
                                 paid_amount=t.paid_amount, next_due=None if t.decision else t.raised_on))
        cases = AidCase.objects.bulk_create(cases)
        CaseParty.objects.bulk_create([CaseParty(case=c, person_id=c.applicant_id, role="applicant") for c in cases])
        CaseGroup.objects.bulk_create([CaseGroup(case=c, group="妇女") for c in cases[::3]])
        Deadline.objects.bulk_create([Deadline(case=c, kind="decision", starts_on=c.raised_on, due_on=c.raised_on)
                                      for c in cases if c.decision == ""])
        i += size


def measure(client: Client, url: str, runs: int = 7) -> tuple[int, float]:
    """Return the queries of one request and the median time of RUNS more, in milliseconds."""
    count = 0

    def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return count, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load-demo", verbosity=0)
    from jiuzhu.accounts.models import User
    from jiuzhu.cases.models import AidCase

    client = Client()
    client.force_login(User.objects.get(username="jiacha_kongshen"))
    city = Client()
    city.force_login(User.objects.get(username="shannan_kongshen"))
    case = AidCase.objects.filter(handling_org__code="540528", status="pending_approval").first()
    pages = [("county worklist", client, "/"), ("county overdue", client, "/?view=overdue"),
             ("city worklist, women", city, "/?view=all&group=妇女"), ("case page", client, f"/cases/{case.pk}/")]
    rows = []
    for size in (args.small, args.large):
        grow(size)
        for name, c, url in pages:
            rows.append((size, name, *measure(c, url)))
    print(f"{'cases':>7}  {'page':<24}{'queries':>8}{'median ms':>11}")
    for size, name, q, ms in rows:
        print(f"{size:>7}  {name:<24}{q:>8}{ms:>11.1f}")
    base = {name: (q, ms) for size, name, q, ms in rows if size == args.small}
    print(f"\nratio large/small ({args.large}/{args.small} cases):")
    for size, name, q, ms in rows:
        if size == args.large:
            print(f"  {name:<24} queries {q}/{base[name][0]}, time ×{ms / base[name][1]:.2f}")


if __name__ == "__main__":
    main()
