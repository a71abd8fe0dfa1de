"""Set-up of the multi-process test's own database (run in a separate process by `jiuzhu shell`).

The demo's organisations and staff (the same loader as `jiuzhu load-demo`), Jiacha's budget, 20
granted cases waiting for their decision document, one scheduled payment, an API token and the demo's history as a ledger workbook; the ids
go to a JSON file for the test.
"""

from __future__ import annotations

import json
from pathlib import Path

N_DECISIONS = 20


def main(out: str) -> None:
    from jiuzhu.api import tokens
    from jiuzhu.calendar.models import CalendarYear
    from jiuzhu.conftest import World
    from jiuzhu.demo import data
    from jiuzhu.funds.tests.helpers import fund, scheduled
    from jiuzhu.lib import clock
    from jiuzhu.stats.tests.helpers import shannan_ledger, workbook

    world = World()
    CalendarYear.objects.get_or_create(year=clock.today().year + 1)  # so that /readyz can be ready
    fund(world, budget="2000000", allocated="1000000")
    payment = scheduled(world, amount="12000")[0]
    cases = [world.to("granted", amount="8000") for _ in range(N_DECISIONS)]
    last = world.to("granted", amount="8000")  # its document is issued just before the stop
    _, token = tokens.issue(name="12309平台", org=world.orgs["540528"], scopes=["submit", "read_cases"],
                            rate_per_minute=100000)
    rows = shannan_ledger()
    ledger = Path(out).with_name("ledger.xlsx")
    ledger.write_bytes(workbook(rows))
    Path(out).write_text(json.dumps({
        "ledger": str(ledger), "ledger_rows": len(rows), "importer": world.user("540500", "kongshen").username,
        "cases": [c.pk for c in cases], "last_case": last.pk, "payment": payment.pk, "token": token,
        "handler": world.user("540528", "kongshen").username,
        "finance": world.user("540528", "finance").username, "password": data.DEMO_PASSWORD,
    }))
