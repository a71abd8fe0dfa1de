"""The statistics tables as Excel workbooks, in the layout a procuratorate reports upwards."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from jiuzhu.cases.models import Group
from jiuzhu.orgs.models import Organisation
from jiuzhu.stats.queries import Stats, accepted, compute, report_units


def _wan(amount: Decimal) -> Decimal:
    return (amount / Decimal(10000)).quantize(Decimal("0.0001"))


def _book(title: str, header: list[str], rows: list[list[Any]], note: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from jiuzhu.lib import xlsx

    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    xlsx.append(ws, [title])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(header)))
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    xlsx.append(ws, header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in rows:
        xlsx.append(ws, r)
    if note:
        xlsx.append(ws, [])
        xlsx.append(ws, [note])
    ws.column_dimensions["A"].width = 26
    for i in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 13
    ws.freeze_panes = "B3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(org: Organisation, start: dt.date, end: dt.date, what: str) -> str:
    return f"{org.name}{what}（{start:%Y年%m月%d日}至{end:%Y年%m月%d日}）"


def report_workbook(org: Organisation, start: dt.date, end: dt.date, *, members: list[Organisation],
                    minimum: int = 0) -> bytes:
    """The upward report: the scope's total first, then 本级 (the procuratorate's own cases) and one row per
    procuratorate directly below it (with its whole scope), so that the rows add up to the total in every
    column: a case (and its person, key groups, 受理, 不予救助) is counted under the procuratorate that
    handles it, money under the procuratorate that paid it (queries.report_units).

    For the upper procuratorate (internal): exact figures, no suppression of small groups. A fixed number
    of queries, whatever the number of procuratorates or cases.
    """
    groups = list(Group.values)
    header = ["单位（统计范围含下级院）", "受理件数", "其中主动救助", "救助件数", "救助人数", "救助金额(万元)", "不予救助件数",
              "联合救助件数"]
    for g in groups:
        header += [f"{g}(人)", f"{g}(万元)"]
    s = compute(org, start, end)
    a = accepted(org, start, end)
    total = {"accepted": a["accepted"], "ex_officio": a["ex_officio"], "cases": s.cases, "persons": s.persons,
             "amount": s.amount, "refused": s.refused, "joint": s.joint["cases"],
             "groups": {g: (v["persons"], v["amount"]) for g, v in s.by_group.items()}}
    visible = {m.pk for m in members}
    units = [u for u in report_units(org, start, end) if u["org"].pk in visible or u["own"]]
    rows = []
    for i, (name, f) in enumerate([(f"合计：{org.name}", total)]
                                  + [(u["org"].name + ("本级" if u["own"] else ""), u) for u in units]):
        row: list[Any] = [name, f["accepted"], f["ex_officio"], f["cases"], f["persons"], _wan(f["amount"]),
                          f["refused"], f["joint"]]
        for g in groups:
            persons, amount = f["groups"].get(g, (0, Decimal(0)))
            row += [persons, _wan(amount)]
        rows.append(row)
        if i == 0 and len(units) <= 1:
            break  # no procuratorate below: the total is the whole table
    note = ("口径：救助件数、人数、金额为期间内决定救助的案件（承办或出资的检察院在统计范围内），金额为统计范围内检察院出资部分；"
            "受理件数按受理日期统计。分行统计时，件数、人数及人员类别人数计入承办院（本级为本院自己承办的案件），"
            "金额计入出资院，各行相加等于合计。")
    return _book(_title(org, start, end, "国家司法救助工作统计表"), header, rows, note)


def years_workbook(org: Organisation, start: dt.date, end: dt.date, *, members: list[Organisation],
                   minimum: int = 0) -> bytes:
    s = compute(org, start, end)
    rows: list[list[Any]] = [[r["year"], r["cases"], r["persons"], _wan(r["amount"])] for r in s.by_year]
    rows.append(["合计", s.cases, s.persons, _wan(s.amount)])
    return _book(_title(org, start, end, "司法救助分年度统计"), ["年度", "救助件数", "救助人数", "救助金额(万元)"], rows,
                 "合计人数按身份证号码去重，可能少于各年人数之和。")


def orgs_workbook(org: Organisation, start: dt.date, end: dt.date, *, members: list[Organisation],
                  minimum: int = 0) -> bytes:
    s = compute(org, start, end)
    rows: list[list[Any]] = [[r["name"], r["code"], r["cases"], _wan(r["amount"])] for r in s.by_org]
    rows.append(["合计", "", s.cases, _wan(s.amount)])
    return _book(_title(org, start, end, "司法救助分院统计"), ["检察院", "代码", "承办或出资件数", "出资金额(万元)"], rows,
                 "联合救助案件在参与的各院分别计入，各院件数之和可能大于合计。")


def groups_workbook(org: Organisation, start: dt.date, end: dt.date, *, members: list[Organisation],
                    minimum: int = 0) -> bytes:
    s: Stats = compute(org, start, end)
    rows: list[list[Any]] = []
    for g, v in s.by_group.items():
        if minimum and v["persons"] < minimum:
            rows.append([g, f"不足{minimum}人", "—"])
        else:
            rows.append([g, v["persons"], _wan(v["amount"])])
    note = "同一人属于多个类别的，在各类别分别计入。"
    if minimum:
        note += f"人数不足{minimum}人的类别不公布具体人数和金额（设置项 stats.min_group_size）。"
    return _book(_title(org, start, end, "司法救助重点人群统计"), ["人员类别", "救助人数", "救助金额(万元)"], rows, note)
