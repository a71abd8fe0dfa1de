"""The case ledger's format (台账, contracts §3): its columns, how each cell is read, reading a workbook.

Shared by the check and import (stats/ledger.py) and the export; no database writes here."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from jiuzhu.cases.models import AidCase
from jiuzhu.support.models import ServiceKind

# Person-times per service kind: 心理疏导 and 法律服务 (contracts §3), then one optional column for each further
# kind of support.Service (an addition to the contract: extra columns are ignored by other readers), so that
# export → import keeps every kind of `services`.


SERVICE_COLUMNS = {f"{label}(人次)": kind for kind, label in
                   sorted(ServiceKind.choices, key=lambda c: (c[0] not in ("counselling", "legal"), c[0] != "counselling"))}



COLUMNS = ["案件编号", "承办院", "申请人姓名", "身份证号码", "人员类别", "救助情形", "受理日期", "决定日期", "决定结果",
           "救助金额(元)", "联合救助出资", "发放方式", "发放日期", *SERVICE_COLUMNS]



REQUIRED = ["案件编号", "承办院", "申请人姓名", "身份证号码", "救助情形", "受理日期", "决定日期", "决定结果"]



DECISIONS = {"救助": AidCase.Decision.GRANT, "不予救助": AidCase.Decision.REFUSE}



METHODS = {label: value for value, label in AidCase.PaymentMethod.choices}



ERROR_COLUMN = "错误"



BATCH = 500  # rows written per round of bulk inserts



class LedgerError(Exception):
    """The workbook cannot be read at all (not an .xlsx, no header): a Chinese message."""



def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()



def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期（YYYY-MM-DD）") from None



def _amount(value: Any) -> Decimal:
    text = _text(value).replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是有效金额") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError("金额必须大于零")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        # A float cell like 1234.5 reads back exactly; more than two places is an error.
        raise ValueError(f"“{text}”超过两位小数")
    return amount.quantize(Decimal("0.01"))



def _count(value: Any) -> int:
    text = _text(value)
    if text == "":
        return 0
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"“{text}”不是不小于0的整数")
    return int(text)



def _title(value: Any) -> str:
    """A column title as matched: trimmed, and (leniently) without inner spaces and with half-width brackets."""
    text = re.sub(r"[\s\u3000]+", "", _text(value))
    return text.replace("（", "(").replace("）", ")")



def read_workbook(data: bytes | IO[bytes]) -> tuple[list[str], list[list[Any]]]:
    """Return the header and the data rows of the first sheet (empty rows dropped, numbering kept)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerError("无法读取该文件：请上传 Excel 工作簿（.xlsx）。") from None
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    if not rows:
        raise LedgerError("工作簿第一个工作表是空的。")
    header = [_title(h) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LedgerError(f"表头缺少列：{'、'.join(missing)}（第1行应为列名）。")
    return header, rows[1:]
