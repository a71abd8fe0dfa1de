"""The bank: payment order lists for the counter and the statements read back and matched."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction

from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.funds.actions.common import (
    FundsError,
    S,
    _amount,
    _require,
)
from jiuzhu.funds.actions.payments import _pay
from jiuzhu.funds.models import (
    Payment,
    StatementImport,
    StatementLine,
)
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_setting

ORDER_HEADERS = ["序号", "付款编号", "案件编号", "收款人", "开户银行", "账号", "金额(元)", "计划发放日期", "用途"]
ORDER_TITLE = "国家司法救助金银行代发清单"
ORDER_SIGNATURES = ["经办人：", "复核人：", "负责人：", "单位（盖章）："]
ORDER_WIDTHS = (6, 16, 20, 12, 24, 26, 15, 14, 16)  # 账号: 19 digits and more; 开户银行: ~11 Chinese characters
ORDER_FONT = "宋体"
ORDER_HEADER_ROW = 4  # title, issuing procuratorate and date, blank, then the column headers



@transaction.atomic(durable=True)
def payment_order_workbook(org: Organisation, *, acting_user: User, payments: list[Payment],
                           document_number: str = "") -> bytes:
    """Return the payment order list for the bank (.xlsx) and mark the payments ordered.

    The form a bank counter expects: the title, the issuing procuratorate, the date (and the 文号 when
    given), the rows, the total in figures and in Chinese capitals, the signature and seal lines. The full
    account number appears only in this file, because the bank needs it; the export is audited.
    """
    from openpyxl import Workbook

    _require(acting_user, org, Capability.FINANCE, what="制作付款清单")
    ids = [p.pk for p in payments]
    rows = list(Payment.objects.select_for_update().filter(pk__in=ids).select_related("case", "budget")
                .order_by("due_on", "pk"))
    if not rows:
        raise FundsError("没有可制单的付款。")
    for p in rows:
        if p.budget.org_id != org.pk:
            raise FundsError(f"付款{p.reference}不由{org.name}支付。")
        if p.status not in (S.SCHEDULED, S.ORDERED):
            raise FundsError(f"付款{p.reference}状态为“{p.get_status_display()}”，不能列入付款清单。")
    today = clock.today()
    wb = Workbook()
    _write_order_sheet(wb.active, org, rows, today, document_number)
    Payment.objects.filter(pk__in=[p.pk for p in rows], status=S.SCHEDULED).update(status=S.ORDERED,
                                                                                   ordered_on=today)
    audit(AuditEntry.Kind.EXPORT, acting_user=acting_user, field="bank_account", reason="制作银行付款清单",
          org=org.code, references=[p.reference for p in rows])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()



def _write_order_sheet(ws: Any, org: Organisation, rows: list[Payment], today: dt.date, document_number: str,
                       ) -> None:
    """Write the payment list's heading, rows, totals and signature lines into WS."""
    from jiuzhu.lib import xlsx
    from jiuzhu.lib.money import rmb_upper

    total = sum((p.amount for p in rows), Decimal(0))
    ws.title = "付款清单"
    xlsx.append(ws, [ORDER_TITLE])
    xlsx.append(ws, [f"付款单位：{org.name}", "", "", "", "", "",
                     f"制单日期：{today.year}年{today.month}月{today.day}日"])
    xlsx.append(ws, [f"文号：{document_number.strip()}" if document_number.strip() else "", "", "", "", "", "",
                     f"共{len(rows)}笔"])
    xlsx.append(ws, ORDER_HEADERS)
    for i, p in enumerate(rows, 1):
        xlsx.append(ws, [i, p.reference, p.case.number, p.payee_name, p.bank_name, p.account, p.amount, p.due_on,
                         "国家司法救助金"])
        row = ORDER_HEADER_ROW + i
        ws.cell(row=row, column=6).number_format = "@"  # an account number is text, not a number
        ws.cell(row=row, column=7).number_format = "#,##0.00"
        ws.cell(row=row, column=8).number_format = "yyyy-mm-dd"
    xlsx.append(ws, ["合计", "", "", "", "", "", total, "", ""])
    total_row = ws.max_row
    ws.cell(row=total_row, column=7).number_format = "#,##0.00"
    xlsx.append(ws, [f"合计金额（大写）：人民币{rmb_upper(total)}", "", "", "", "", "", "", "", ""])
    upper_row = ws.max_row
    ws.append([])
    xlsx.append(ws, [ORDER_SIGNATURES[0], "", ORDER_SIGNATURES[1], "", ORDER_SIGNATURES[2], "", ORDER_SIGNATURES[3]])
    sign_row = ws.max_row
    xlsx.append(ws, ["", "", "", "", "", "", "年　　月　　日"])
    _format_order_sheet(ws, total_row, upper_row, sign_row)


def _format_order_sheet(ws: Any, total_row: int, upper_row: int, sign_row: int) -> None:
    """Merged title, bold headers, borders around the table, widths and page set-up for the printout."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    width = len(ORDER_HEADERS)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width):  # a Chinese face (宋体) everywhere
        for cell in row:
            cell.font = Font(name=ORDER_FONT, size=11)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name=ORDER_FONT, bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(start_row=upper_row, start_column=1, end_row=upper_row, end_column=width)
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=6)
    thin = Side(style="thin")
    for r in range(ORDER_HEADER_ROW, upper_row + 1):
        ws.row_dimensions[r].height = 22
        for c in range(1, width + 1):
            ws.cell(row=r, column=c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
            ws.cell(row=r, column=c).alignment = Alignment(vertical="center")
    for c in range(1, width + 1):
        ws.cell(row=ORDER_HEADER_ROW, column=c).font = Font(name=ORDER_FONT, size=11, bold=True)
        ws.cell(row=ORDER_HEADER_ROW, column=c).alignment = Alignment(horizontal="center", vertical="center")
    ws.cell(row=total_row, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.cell(row=total_row, column=1).font = ws.cell(row=total_row, column=7).font = Font(
        name=ORDER_FONT, size=11, bold=True)
    for col, w in zip("ABCDEFGHI", ORDER_WIDTHS, strict=True):
        ws.column_dimensions[col].width = w
    ws.row_dimensions[sign_row].height = 40
    for r in range(ORDER_HEADER_ROW + 1, total_row):  # 序号 and dates centred; amounts at the right, 2 decimals
        for c in (1, 8):
            ws.cell(row=r, column=c).alignment = Alignment(horizontal="center", vertical="center")
    for r in range(ORDER_HEADER_ROW + 1, total_row + 1):
        ws.cell(row=r, column=7).alignment = Alignment(horizontal="right", vertical="center")
    # The counter prints it: A4 landscape, one page wide (as many pages down as the rows need), the column
    # headers repeated on every page, centred, page numbers at the foot; the print area ends at the seal line.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    m = ws.page_margins
    m.left = m.right = 0.5
    m.top, m.bottom, m.header, m.footer = 0.7, 0.9, 0.3, 0.35
    ws.print_title_rows = f"{ORDER_HEADER_ROW}:{ORDER_HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(width)}{sign_row + 1}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = ORDER_FONT



STATEMENT_HEADERS: dict[str, tuple[str, ...]] = {
    "bank_reference": ("交易流水号", "流水号", "银行流水号"),
    "amount": ("金额", "交易金额", "金额(元)"),
    "value_date": ("日期", "交易日期", "记账日期"),
    "account": ("收款账号", "对方账号"),
    "payee_name": ("收款人", "对方户名", "收款人名称"),
}



@dataclass
class _Line:
    row: int
    bank_reference: str
    amount: Decimal
    value_date: dt.date
    account_tail: str
    payee_name: str



def _read_rows(name: str, data: bytes) -> list[list[Any]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's bad file
            raise FundsError("无法读取该 Excel 文件，请上传银行导出的 .xlsx 或 .csv 对账单。") from None
        return [list(r) for r in ws.iter_rows(values_only=True)]
    if name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [list(r) for r in csv.reader(io.StringIO(text))]
        raise FundsError("无法识别 CSV 文件的编码（应为 UTF-8 或 GB18030）。")
    raise FundsError("只能导入 .csv 或 .xlsx 格式的银行对账单。")



def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text[:10] if "-" in text or "/" in text else text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError



def parse_statement(name: str, data: bytes) -> list[_Line]:
    """Return the lines of a bank statement; FundsError lists every bad row (nothing is written)."""
    rows = [r for r in _read_rows(name, data) if any(c not in (None, "") for c in r)]
    if not rows:
        raise FundsError("对账单为空。")
    header = [str(c or "").strip() for c in rows[0]]
    cols: dict[str, int] = {}
    for key, names in STATEMENT_HEADERS.items():
        found = next((header.index(n) for n in names if n in header), None)
        if found is not None:
            cols[key] = found
    missing = [STATEMENT_HEADERS[k][0] for k in ("amount", "value_date") if k not in cols]
    if missing or ("bank_reference" not in cols and "account" not in cols):
        need = "、".join(missing or ["交易流水号或收款账号"])
        raise FundsError(f"对账单缺少列：{need}。表头应包含 交易流水号、金额、日期、收款账号、收款人。")
    lines, errors = [], []

    def cell(r: list[Any], key: str) -> Any:
        i = cols.get(key)
        return r[i] if i is not None and i < len(r) else None

    for n, r in enumerate(rows[1:], 2):
        try:
            amount = _amount(cell(r, "amount"))
        except FundsError as e:
            errors.append(f"第{n}行 金额：{e.messages[0]}")
            continue
        try:
            day = _parse_date(cell(r, "value_date"))
        except ValueError:
            errors.append(f"第{n}行 日期：应为 YYYY-MM-DD 格式的日期")
            continue
        account = re.sub(r"\D", "", str(cell(r, "account") or ""))
        lines.append(_Line(n, str(cell(r, "bank_reference") or "").strip()[:60], amount, day, account[-4:],
                           str(cell(r, "payee_name") or "").strip()[:100]))
    if errors:
        raise FundsError(errors)
    return lines



def _match(line: _Line, org: Organisation, taken: set[int], window: int) -> tuple[Payment | None, str]:
    base = Payment.objects.filter(budget__org=org).exclude(pk__in=taken).exclude(
        statement_lines__status=StatementLine.Status.MATCHED)
    if line.bank_reference:
        p = base.filter(bank_reference=line.bank_reference).first()
        if p is not None:
            return p, "按银行流水号匹配"
    if line.account_tail:
        lo, hi = line.value_date - dt.timedelta(days=window), line.value_date + dt.timedelta(days=window)
        candidates = [p for p in base.filter(amount=line.amount, status__in=[S.ORDERED, S.PAID])
                      if p.account_masked.endswith(line.account_tail)
                      and lo <= (p.paid_on or p.ordered_on or p.due_on) <= hi]
        if len(candidates) == 1:
            return candidates[0], "按金额、账号后四位和日期匹配"
        if len(candidates) > 1:
            return None, f"有{len(candidates)}笔付款金额、账号和日期相同，请人工核对"
    return None, "未找到对应付款"



@transaction.atomic(durable=True)
def import_statement(org: Organisation, file: IO[bytes], *, acting_user: User, name: str = "") -> StatementImport:
    """Import a bank statement (CSV or .xlsx) and match its lines against ORG's payments.

    Headers (first row): 交易流水号 (or 流水号/银行流水号), 金额 (交易金额), 日期 (交易日期/记账日期),
    收款账号 (对方账号), 收款人 (对方户名). A line matches a payment by bank reference, else by amount,
    the account's last four digits and a date within `funds.statement_match_days`; a matched
    payment still on an order list is marked paid with the line's reference. A bad file writes nothing.
    """
    _require(acting_user, org, Capability.FINANCE, what="导入银行对账单")
    name = name or getattr(file, "name", "") or "statement"
    data = file.read()
    lines = parse_statement(name, data)
    statement = StatementImport.objects.create(org=org, file_name=name[:200], sha256=hashlib.sha256(data).hexdigest(),
                                               imported_by=acting_user, imported_at=clock.now())
    window = get_setting(org, "funds.statement_match_days")
    taken: set[int] = set()
    for line in lines:
        payment, note = _match(line, org, taken, window)
        if payment is not None and payment.status == S.ORDERED:
            if not line.bank_reference:
                payment, note = None, "对账单无流水号，无法登记支付"
            else:
                try:
                    with transaction.atomic():
                        payment = _pay(payment, acting_user=acting_user, bank_reference=line.bank_reference,
                                       paid_on=min(line.value_date, clock.today()))
                    note += "，已登记支付"
                except FundsError as e:
                    payment, note = None, e.messages[0][:200]
        if payment is not None:
            taken.add(payment.pk)
        StatementLine.objects.create(
            statement=statement, row_number=line.row, bank_reference=line.bank_reference, amount=line.amount,
            value_date=line.value_date, account_tail=line.account_tail, payee_name=line.payee_name,
            matched_payment=payment, match_note=note[:200],
            status=StatementLine.Status.MATCHED if payment else StatementLine.Status.UNMATCHED)
    return statement



@transaction.atomic(durable=True)
def resolve_line(line: StatementLine, *, acting_user: User, note: str) -> StatementLine:
    """Record how a person explained an unmatched statement line."""
    line = StatementLine.objects.select_for_update().select_related("statement__org").get(pk=line.pk)
    _require(acting_user, line.statement.org, Capability.FINANCE, what="处理对账差异")
    if line.status != StatementLine.Status.UNMATCHED:
        raise FundsError("该流水不是未匹配状态。")
    if not note.strip():
        raise FundsError("请填写处理说明。")
    StatementLine.objects.filter(pk=line.pk).update(status=StatementLine.Status.RESOLVED,
                                                    resolution_note=note.strip()[:200])
    line.status, line.resolution_note = StatementLine.Status.RESOLVED, note.strip()[:200]
    return line
