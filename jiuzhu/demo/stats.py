"""The statistics part of the Shannan demo: one finished web ledger import, so the import page has history.

The city's complaint prosecutor "re-imports" the city's own 2018–2021 ledger (as exported by Jiuzhu):
every row is already stored, so it reports them as skipped and changes no figure of contracts §6.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from jiuzhu.accounts.models import Role
from jiuzhu.lib import clock
from jiuzhu.stats import actions, ledger
from jiuzhu.stats.models import LedgerImport


def load_stats_demo(demo) -> LedgerImport:  # type: ignore[no-untyped-def]
    city = demo.orgs["540500"]
    user = demo.user("540500", Role.KONGSHEN)
    data, _ = ledger.ledger_workbook(city, dt.date(2018, 1, 1), dt.date(2021, 12, 31))
    job = LedgerImport(created_by=user, created_at=clock.now(), file_name="山南市2018-2021年司法救助台账.xlsx")
    job.upload.save("ledger.xlsx", ContentFile(data), save=False)
    job.save()
    return actions.run_import(job.pk)
