"""Issue 11, finding 6: no workbook Jiuzhu writes turns user text into a formula.

For each export, text that begins with = + - @ or a tab is planted where users type it, the
workbook is produced through the real view or command and reopened with openpyxl: the cell
is a string (data type "s", with Excel's quote prefix), its text unchanged; amounts stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from jiuzhu.lib import xlsx
from jiuzhu.orgs.models import Organisation
from jiuzhu.people.models import Person

PLANTED = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def _book(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def _cells(ws: Any) -> list[Any]:
    return [c for row in ws.iter_rows() for c in row]


def assert_planted_are_text(ws: Any, planted: list[str] = PLANTED) -> None:
    found = {c.value: (c.data_type, c.quotePrefix) for c in _cells(ws) if c.value in planted}
    assert found == {p: ("s", True) for p in planted}


def assert_numeric(cell: Any) -> None:
    assert cell.data_type == "n" and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), (
        cell.coordinate, cell.value, cell.data_type)


def test_the_helper_keeps_text_as_text_and_numbers_as_numbers() -> None:
    wb = Workbook()
    ws = wb.active
    xlsx.append(ws, [*PLANTED, Decimal("12.50"), 3, -4, dt.date(2026, 1, 2), None, "普通文字", "a\x01b"])
    out = io.BytesIO()
    wb.save(out)
    ws = _book(out.getvalue()).active
    assert_planted_are_text(ws)
    row = list(ws.iter_rows(values_only=True))[0]
    assert row[5:8] == (12.5, 3, -4) and row[8].date() == dt.date(2026, 1, 2)  # openpyxl reads dates back as datetimes
    assert row[9:] == (None, "普通文字", "ab")
    for cell in list(ws[1])[5:8]:
        assert_numeric(cell)
    assert ws.cell(1, 11).data_type == "s" and not ws.cell(1, 11).quotePrefix


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@\t\r 1A(),\"中"), max_size=12), min_size=1, max_size=6))
def test_any_text_survives_as_text(texts) -> None:
    wb = Workbook()
    xlsx.append(wb.active, texts)
    out = io.BytesIO()
    wb.save(out)
    cells = list(_book(out.getvalue()).active[1])
    for text, cell in zip(texts, cells, strict=False):
        if text:
            assert cell.data_type == "s" and cell.value == text
            assert cell.quotePrefix == text.startswith(xlsx.FORMULA_TRIGGERS)


# ---------------------------------------------------------------------------------------------
# Every export, through its real view or command


def test_the_case_export(world, client) -> None:
    granted = world.to("granted", "540528", amount="8000")
    cases = [granted] + [world.clue("540528") for _ in PLANTED[1:]]
    for case, text in zip(cases, PLANTED, strict=True):
        Person.objects.filter(pk=case.applicant_id).update(name=text)
    client.force_login(world.user("540528", "kongshen"))
    ws = _book(client.get("/cases/export.xlsx?view=all").content).active
    assert_planted_are_text(ws)
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == granted.number)
    assert_numeric(row[9])  # 决定金额(元)
    assert row[9].value == 8000


def test_the_budget_export(world, client) -> None:
    from jiuzhu.funds import actions
    from jiuzhu.lib import clock

    org, year, fin = world.orgs["540528"], clock.today().year, world.user("540528", "finance")
    actions.set_budget(org, year, acting_user=fin, amount=Decimal("100000"), note=PLANTED[0])
    actions.add_supplement(org, year, acting_user=fin, amount=Decimal("5000"), document_number=PLANTED[1],
                           note=PLANTED[2])
    actions.record_allocation(org, year, acting_user=fin, amount=Decimal("50000"), document_number=PLANTED[3],
                              note=PLANTED[4])
    client.force_login(fin)
    wb = _book(client.get(f"/funds/540528/{year}/export.xlsx").content)
    assert_planted_are_text(wb["资金台账"])
    for cell in list(wb["预算执行"][2])[2:]:
        assert_numeric(cell)
    assert wb["预算执行"]["C2"].value == 100000
    for row in wb["资金台账"].iter_rows(min_row=2):
        assert_numeric(row[2])  # 金额(元)


def test_the_bank_payment_order_list(world, client) -> None:
    from jiuzhu.funds.models import Payment
    from jiuzhu.funds.tests.helpers import fund, scheduled

    fund(world)
    payments = scheduled(world, plan=["4000", "4000", "4000"])
    pairs = [(PLANTED[0], PLANTED[1]), (PLANTED[2], PLANTED[3]), (PLANTED[4], "中国农业银行")]
    for p, (payee, bank) in zip(payments, pairs, strict=True):
        Payment.objects.filter(pk=p.pk).update(payee_name=payee, bank_name=bank)
    client.force_login(world.user("540528", "finance"))
    ws = _book(client.post("/funds/540528/orders.xlsx").content).active
    assert_planted_are_text(ws)
    from jiuzhu.funds.actions import ORDER_HEADER_ROW

    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    for row in ws.iter_rows(min_row=ORDER_HEADER_ROW + 1, max_row=total):
        assert_numeric(row[6])  # 金额, the total row's included (the heading and signature lines are text)
    assert ws.cell(total, 7).value == 12000


def test_the_statistics_exports(world, client) -> None:
    Organisation.objects.filter(code="540500").update(name='=HYPERLINK("http://x","title")')
    for code, text in zip(["540528", "540527", "540526", "540525", "540524"], PLANTED, strict=True):
        Organisation.objects.filter(code=code).update(name=text)
    client.force_login(world.user("540500", "stats"))
    period = "start=2026-01-01&end=2026-06-30"
    for table in ("report", "years", "orgs", "groups"):
        response = client.get(f"/stats/export/{table}.xlsx?org=540500&{period}")
        assert response.status_code == 200, table
        ws = _book(response.content).active
        title = ws["A1"]
        assert title.value.startswith('=HYPERLINK("http://x","title")') and title.data_type == "s", table
        if table == "report":
            assert_planted_are_text(ws)
            for row in ws.iter_rows(min_row=3, max_row=ws.max_row - 2):
                if row[0].value:
                    assert_numeric(row[1])
                    assert_numeric(row[5])  # 救助金额(万元)


def _ledger_rows() -> list[dict[str, Any]]:
    from jiuzhu.stats.tests.helpers import shannan_ledger

    return shannan_ledger()[4:9]  # five cases decided in 2022


def _write(rows: list[dict[str, Any]], path: Any) -> None:
    from jiuzhu.stats.ledger import COLUMNS

    wb = Workbook()
    xlsx.append(wb.active, COLUMNS)
    for r in rows:
        xlsx.append(wb.active, [r.get(h) for h in COLUMNS])
    wb.save(path)


def test_the_ledger_export_and_its_round_trip(world, client, tmp_path) -> None:
    from jiuzhu.cases.models import AidCase
    from jiuzhu.stats import ledger

    _write(_ledger_rows(), tmp_path / "in.xlsx")
    call_command("import-ledger", str(tmp_path / "in.xlsx"), stdout=io.StringIO(), stderr=io.StringIO())
    cases = list(AidCase.objects.order_by("decided_on", "pk"))
    assert len(cases) == len(PLANTED)
    for case, text in zip(cases, PLANTED, strict=True):
        Person.objects.filter(pk=case.applicant_id).update(name=text)
    client.force_login(world.user("540500", "kongshen"))
    data = client.get("/stats/export/ledger.xlsx?org=540500&start=2022-01-01&end=2022-12-31").content
    ws = _book(data).active
    assert_planted_are_text(ws)
    # Round trip: the import reads the names back as they were (its values only, formulas unevaluated).
    header, raw = ledger.read_workbook(data)
    names = sorted(r[header.index("申请人姓名")] for r in raw)
    assert names == sorted(PLANTED)
    (tmp_path / "out.xlsx").write_bytes(data)
    out = io.StringIO()
    call_command("import-ledger", str(tmp_path / "out.xlsx"), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "导入 0 件，跳过 5 件（已存在）"


def test_the_ledger_errors_workbook(world, tmp_path) -> None:
    from jiuzhu.stats import ledger

    rows = [{**r, "申请人姓名": text} for r, text in zip(_ledger_rows(), PLANTED, strict=True)]
    rows[1] = {**rows[1], "身份证号码": rows[1]["身份证号码"][:-1] + ("0" if rows[1]["身份证号码"][-1] != "0" else "1")}
    _write(rows, tmp_path / "bad.xlsx")
    with pytest.raises(CommandError):
        call_command("import-ledger", str(tmp_path / "bad.xlsx"), stdout=io.StringIO(), stderr=io.StringIO())
    data = (tmp_path / "bad.errors.xlsx").read_bytes()
    assert_planted_are_text(_book(data).active)  # the uploaded values are written back as they came
    header, raw = ledger.read_workbook(data)
    assert header[-1] == "错误" and "校验位" in raw[1][-1]
