"""The bank: payment order lists and statement imports."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from jiuzhu.audit.models import AuditEntry
from jiuzhu.funds import actions
from jiuzhu.funds.models import LedgerEntry, Payment, StatementImport, StatementLine
from jiuzhu.funds.tests.helpers import ACCOUNT, fund, scheduled
from jiuzhu.lib import clock


def _csv(rows: list[str]) -> io.BytesIO:
    f = io.BytesIO(("\n".join(rows) + "\n").encode("utf-8-sig"))
    f.name = "statement.csv"
    return f


def test_it_writes_the_payment_order_list_with_full_accounts_and_audits_it(world) -> None:
    fund(world)
    payments = scheduled(world, amount="12000", plan=["7000", "5000"])
    fin = world.user("540528", "finance")
    data = actions.payment_order_workbook(world.orgs["540528"], acting_user=fin, payments=payments)
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    head = rows.index(tuple(actions.ORDER_HEADERS))
    assert [(r[0], r[1], r[3], r[5], r[6]) for r in rows[head + 1:head + 3]] == [
        (1, payments[0].reference, "申请人", ACCOUNT, 7000), (2, payments[1].reference, "申请人", ACCOUNT, 5000)]
    assert rows[head + 3][0] == "合计" and rows[head + 3][6] == 12000
    assert set(Payment.objects.values_list("status", flat=True)) == {"ordered"}
    entry = AuditEntry.objects.get(kind="export")
    assert entry.actor == fin and entry.detail["references"] == [p.reference for p in payments]


def test_the_payment_order_list_has_the_form_a_bank_counter_expects(world, tmp_path) -> None:
    """Issue 13: title, issuing procuratorate, date, 文号, rows, total in figures and capitals, signatures."""
    from jiuzhu.lib.money import rmb_upper

    fund(world)
    payments = scheduled(world, amount="12345.60", plan=["7000", "5345.60"])
    org = world.orgs["540528"]
    data = actions.payment_order_workbook(org, acting_user=world.user("540528", "finance"), payments=payments,
                                          document_number="加检财付〔2026〕3号")
    path = tmp_path / "order.xlsx"
    path.write_bytes(data)
    ws = load_workbook(path).active
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    texts = [" ".join(str(c) for c in r if c not in (None, "")) for r in rows]
    assert rows[0][0] == "国家司法救助金银行代发清单" and "A1:I1" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["A1"].font.bold and ws["A1"].font.size == 16
    today = clock.today()
    assert f"付款单位：{org.name}" in texts[1] and f"制单日期：{today.year}年{today.month}月{today.day}日" in texts[1]
    assert "文号：加检财付〔2026〕3号" in texts[2] and "共2笔" in texts[2]
    head = rows.index(list(actions.ORDER_HEADERS))
    body = rows[head + 1:head + 3]
    assert [r[6] for r in body] == [7000, 5345.6] and [r[5] for r in body] == [ACCOUNT, ACCOUNT]
    total = rows[head + 3]
    assert total[0] == "合计" and total[6] == 12345.6 and ws.cell(row=head + 4, column=7).number_format == "#,##0.00"
    assert rows[head + 4][0] == f"合计金额（大写）：人民币{rmb_upper(Decimal('12345.60'))}"
    assert rows[head + 4][0] == "合计金额（大写）：人民币壹万贰仟叁佰肆拾伍元陆角整"
    signatures = next(t for t in texts if "经办人" in t)
    for label in ("经办人：", "复核人：", "负责人：", "单位（盖章）："):
        assert label in signatures
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == f"${head + 1}:${head + 1}"
    # The printout (looked at through LibreOffice Calc → PDF → PNG): A4 landscape, one page wide and as many
    # down as the rows need, centred, page numbers at the foot, the print area from the title to the date line.
    setup = ws.page_setup
    assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (int(ws.PAPERSIZE_A4), 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
    last = next(i for i, t in enumerate(texts, 1) if "年　　月　　日" in t)
    assert ws.print_area == f"'付款清单'!$A$1:$I${last}"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    # The whole account number shows (19 digits at 11 pt need ~20 characters), as text; amounts at the right
    # with two decimals; every cell of the table bordered; a Chinese face throughout.
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHI"}
    assert widths["F"] >= len(ACCOUNT) + 2 and widths["E"] >= 2 * len("中国农业银行加查县支行")
    for r in range(head + 2, head + 4):
        assert ws.cell(row=r, column=6).number_format == "@" and isinstance(ws.cell(row=r, column=6).value, str)
        assert ws.cell(row=r, column=7).number_format == "#,##0.00"
    for r in range(head + 2, head + 5):
        assert ws.cell(row=r, column=7).alignment.horizontal == "right"
    for r in range(head + 1, head + 4):  # the header and the rows (the total lines are merged cells)
        for c in range(1, 10):
            b = ws.cell(row=r, column=c).border
            assert b.left.style == b.right.style == b.top.style == b.bottom.style == "thin", (r, c)
    assert {cell.font.name for row in ws.iter_rows(min_row=1, max_row=last, max_col=9) for cell in row
            if type(cell).__name__ != "MergedCell"} == {"宋体"}


def test_it_refuses_an_order_list_of_another_procuratorates_payments(world) -> None:
    fund(world)
    payments = scheduled(world)
    with pytest.raises(actions.FundsPermissionError):
        actions.payment_order_workbook(world.orgs["540528"], acting_user=world.user("540527", "finance"),
                                       payments=payments)
    assert Payment.objects.get().status == "scheduled" and not AuditEntry.objects.exists()


def test_it_matches_a_statement_and_lists_what_does_not_match(world) -> None:
    fund(world)
    fin = world.user("540528", "finance")
    org = world.orgs["540528"]
    a, b = scheduled(world, amount="12000", plan=["7000", "5000"])
    actions.pay(a, acting_user=fin, bank_reference="BK001")
    actions.payment_order_workbook(org, acting_user=fin, payments=[b])
    today = clock.today().isoformat()
    statement = actions.import_statement(org, _csv([
        "交易流水号,金额,日期,收款账号,收款人",
        f"BK001,7000.00,{today},{ACCOUNT},申请人",  # by reference
        f"BK777,5000,{today},****3445,申请人",  # by amount + tail + date: marks b paid
        f"BK999,123.45,{today},62220000,某某",  # nothing of ours
    ]), acting_user=fin)
    lines = list(statement.lines.order_by("row_number"))
    assert [(line.status, line.matched_payment_id) for line in lines] == [
        ("matched", a.pk), ("matched", b.pk), ("unmatched", None)]
    b.refresh_from_db()
    assert (b.status, b.bank_reference) == ("paid", "BK777")
    assert LedgerEntry.objects.filter(kind="payment").count() == 2
    line = actions.resolve_line(lines[2], acting_user=fin, note="非救助金支出")
    assert line.status == StatementLine.Status.RESOLVED


def test_it_reads_an_excel_statement(world) -> None:
    fund(world)
    fin = world.user("540528", "finance")
    [p] = scheduled(world)
    actions.pay(p, acting_user=fin, bank_reference="BK100")
    wb = Workbook()
    wb.active.append(["交易日期", "交易金额", "流水号", "对方户名"])
    wb.active.append([clock.today(), 12000, "BK100", "申请人"])
    f = io.BytesIO()
    wb.save(f)
    f.seek(0)
    statement = actions.import_statement(world.orgs["540528"], f, acting_user=fin, name="对账单.xlsx")
    assert statement.lines.get().matched_payment == p


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.csv", "金额,日期\n5000,2024-01-01\n", "交易流水号或收款账号"),
    ("a.csv", "交易流水号,金额,日期\nB1,abc,2024-01-01\nB2,100,昨天\n", "第2行 金额.*第3行 日期"),
    ("a.xlsx", "not a workbook", "无法读取"),
    ("a.pdf", "x", "只能导入"),
])
def test_it_refuses_a_bad_statement_and_writes_nothing(world, name, content, message) -> None:
    fund(world)
    f = io.BytesIO(content.encode())
    f.name = name
    with pytest.raises(actions.FundsError) as e:
        actions.import_statement(world.orgs["540528"], f, acting_user=world.user("540528", "finance"))
    import re

    assert re.search(message, "；".join(e.value.messages))
    assert not StatementImport.objects.exists() and not StatementLine.objects.exists()


def test_it_shows_budget_execution_in_two_queries(world, django_assert_num_queries) -> None:
    from jiuzhu.funds.queries import budget_execution

    b = fund(world)
    scheduled(world)
    with django_assert_num_queries(2):
        ex = budget_execution(world.orgs["540528"], b.fiscal_year)
        assert [e.kind for e in ex.entries][-1] == "commitment" and ex.entries[-1].case.number
    assert ex.paid_of_allocated == Decimal("0.0") and ex.committed_of_budget == Decimal("12.0")
