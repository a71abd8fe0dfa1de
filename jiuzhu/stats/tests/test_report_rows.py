"""The upward-report workbook: a row for the city's own cases (本级), and the rows add up to the 合计 in every
column, on the Shannan demo (the issue's period: 2018–2022) and in the 2022 press-release period."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.accounts.models import Membership

pytestmark = pytest.mark.django_db


def _report(start: str, end: str, code: str = "540500") -> list[tuple]:
    user = Membership.objects.filter(org__code=code, role="stats").first().user
    client = Client()
    client.force_login(user)
    r = client.get(f"/stats/export/report.xlsx?org={code}&start={start}&end={end}")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    return [row for row in ws.iter_rows(min_row=3, values_only=True) if row[0] and isinstance(row[1], int)]


@pytest.mark.parametrize(("start", "end", "cases", "amount"), [
    ("2018-01-01", "2022-12-31", 46, Decimal("84.8")),
    ("2022-01-01", "2023-06-07", 42, Decimal("53.3")),
])
def test_the_rows_add_up_to_the_total(demo_loaded, start: str, end: str, cases: int, amount: Decimal) -> None:
    rows = _report(start, end)
    total, units = rows[0], rows[1:]
    assert total[0] == "合计：山南市人民检察院"
    assert units[0][0] == "山南市人民检察院本级"
    assert len(units) == 13  # 本级 + the twelve county-level procuratorates
    assert total[3] == cases and Decimal(str(total[5])).quantize(Decimal("0.1")) == amount
    for col in range(1, len(total)):
        column = [Decimal(str(r[col] or 0)) for r in units]
        assert sum(column) == Decimal(str(total[col] or 0)), f"第{col + 1}列：{column} ≠ {total[col]}"
    # The city's own work is there: it handled cases and paid its share of the joint ones.
    assert units[0][1] > 0 and units[0][5] > 0

