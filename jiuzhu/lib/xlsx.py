"""Write rows into openpyxl worksheets without formula injection (issue 11, finding 6).

openpyxl stores any string that begins with "=" as a formula, so a person's name
`=HYPERLINK("http://…","点击")` became a live link in the case export. Spreadsheet programs also
treat text beginning with "+", "-", "@", a tab or a carriage return as the start of a formula
when a cell is edited or the file is converted. Every workbook Jiuzhu writes appends its rows
through `append()`: such text is stored as a string cell (data type "s") carrying Excel's quote
prefix, its text unchanged; numbers, dates and empty cells are written as openpyxl writes them.
Characters XML cannot hold (control characters other than tab, newline and CR) are dropped
instead of failing the whole export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def value(ws: Worksheet, v: Any) -> Any:
    """Return V ready for `ws.append`: a text Cell for formula-like text, V itself otherwise."""
    if not isinstance(v, str):
        return v
    v = ILLEGAL_CHARACTERS_RE.sub("", v)
    if not v.startswith(FORMULA_TRIGGERS):
        return v
    cell = Cell(ws, value=v)
    cell.data_type = "s"  # never "f": the text is data
    cell.quotePrefix = True  # and stays text when someone edits it in Excel / WPS
    return cell


def append(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append VALUES as the next row of WS, text never becoming a formula."""
    ws.append([value(ws, v) for v in values])


def to_bytes(wb: Any) -> bytes:
    """The .xlsx file of workbook WB, in memory."""
    import io

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
