"""Ledgers for the tests: write a workbook from dicts, and the §4 figures recomputed directly from rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from jiuzhu.people.idcard import check_digit
from jiuzhu.stats.ledger import COLUMNS

ORG_CODES = ["540500", "540502", "540521", "540522", "540523", "540524", "540525", "540526", "540527", "540528",
             "540529", "540530", "540531"]
NAMES = {"山南市人民检察院": "540500", "加查县人民检察院": "540528"}
PARENT = {c: "540500" for c in ORG_CODES if c != "540500"} | {"540500": "540000"}


def id_number(n: int, area: str = "540521", birth: str = "19800101") -> str:
    first17 = f"{area}{birth}{n % 1000:03d}"
    return first17 + check_digit(first17)


def workbook(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    header = header or COLUMNS
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def in_scope(code: str | None, scope: str) -> bool:
    """Contracts §1: the scope of an organisation is itself and every organisation below it."""
    while code:
        if code == scope:
            return True
        code = PARENT.get(code)
    return False


def reference(rows: list[dict[str, Any]], scope: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The §4 figures computed straight from ledger rows, by the words of the definitions."""
    rows = [{**r, "承办院": NAMES.get(r["承办院"], r["承办院"])} for r in rows]

    def lines(r: dict[str, Any]) -> list[tuple[str, Decimal]]:
        if r.get("联合救助出资"):
            return [(p.split(":")[0], Decimal(p.split(":")[1])) for p in r["联合救助出资"].split(";")]
        return [(r["承办院"], Decimal(r["救助金额(元)"]))]

    def day(v: Any) -> dt.date:
        return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)

    counting = [r for r in rows if r["决定结果"] == "救助" and start <= day(r["决定日期"]) <= end
                and (in_scope(r["承办院"], scope) or any(in_scope(o, scope) for o, _ in lines(r)))]

    def paid(r: dict[str, Any], only: str | None = None) -> Decimal:
        return sum((a for o, a in lines(r) if in_scope(o, scope) and (only is None or o == only)), Decimal(0))

    def groups(r: dict[str, Any]) -> set[str]:
        return {g for g in (r.get("人员类别") or "").replace(",", "、").replace("，", "、").replace(";", "、").split("、") if g}

    by_year: dict[int, list[dict[str, Any]]] = {}
    for r in counting:
        by_year.setdefault(day(r["决定日期"]).year, []).append(r)
    joint = [r for r in counting if len(lines(r)) >= 2]
    orgs: dict[str, list[dict[str, Any]]] = {}
    for r in counting:
        for o in {r["承办院"], *(o for o, _ in lines(r))}:
            if in_scope(o, scope):
                orgs.setdefault(o, []).append(r)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in counting:
        for g in groups(r):
            by_group.setdefault(g, []).append(r)
    services = {"心理疏导": 0, "法律服务": 0}
    for r in rows:
        if start <= day(r["决定日期"]) <= end and in_scope(r["承办院"], scope):
            services["心理疏导"] += int(r.get("心理疏导(人次)") or 0)
            services["法律服务"] += int(r.get("法律服务(人次)") or 0)
    from jiuzhu.cases.models import Group

    return {
        "cases": len(counting),
        "persons": len({r["身份证号码"].upper() for r in counting}),
        "amount_yuan": f"{sum((paid(r) for r in counting), Decimal(0)):.2f}",
        "refused": sum(1 for r in rows if r["决定结果"] == "不予救助" and start <= day(r["决定日期"]) <= end
                       and in_scope(r["承办院"], scope)),
        "joint": {"cases": len(joint), "persons": len({r["身份证号码"].upper() for r in joint}),
                  "amount_yuan": f"{sum((paid(r) for r in joint), Decimal(0)):.2f}"},
        "by_year": [{"year": y, "cases": len(rs), "persons": len({r["身份证号码"].upper() for r in rs}),
                     "amount_yuan": f"{sum((paid(r) for r in rs), Decimal(0)):.2f}"} for y, rs in sorted(by_year.items())],
        "by_org": [{"code": o, "cases": len(rs), "amount_yuan": f"{sum((paid(r, o) for r in rs), Decimal(0)):.2f}"}
                   for o, rs in sorted(orgs.items())],
        "by_group": {g: {"persons": len({r["身份证号码"].upper() for r in by_group[g]}),
                         "amount_yuan": f"{sum((paid(r) for r in by_group[g]), Decimal(0)):.2f}"}
                     for g in Group.values if g in by_group},
        "services": services,
    }


def comparable(stats_json: dict[str, Any]) -> dict[str, Any]:
    """The §4 object without the parts the reference does not produce (names, org, period)."""
    out = {k: v for k, v in stats_json.items() if k not in ("org", "from", "to")}
    out["by_org"] = [{k: v for k, v in r.items() if k != "name"} for r in out["by_org"]]
    return out


def shannan_ledger() -> list[dict[str, Any]]:
    """The seed's cases (contracts §6) as ledger rows: 4 cases of 2018–2021 and the 42 of 2022, 14 of them joint."""
    from jiuzhu.demo import data

    rows: list[dict[str, Any]] = []
    groups = ["妇女、因案致贫", "未成年人", "残疾人、农村困难群众", "退役军人", "农村困难群众、低保户", "老年人", ""]

    def add(code: str, day: dt.date, amount: Decimal, joint: str = "", **extra: Any) -> None:
        n = len(rows) + 1
        rows.append({"案件编号": f"SN-{day.year}-{n:03d}", "承办院": code, "申请人姓名": f"申请人{n}",
                     "身份证号码": id_number(n, area="540502"), "人员类别": groups[n % 7], "救助情形": "E1",
                     "受理日期": day, "决定日期": day + dt.timedelta(days=9), "决定结果": "救助",
                     "救助金额(元)": f"{amount:.2f}", "联合救助出资": joint or None, "发放方式": "一次性",
                     "发放日期": day + dt.timedelta(days=20), **extra})

    for i, (code, year, amount) in enumerate(data.HISTORY_2018_2021):
        add(code, dt.date(year, 4 + 2 * i, 6), amount)
    for i, code in enumerate(data.JOINT_2022):
        add(code, dt.date(2022, 1, 10) + dt.timedelta(days=14 * i), data.JOINT_2022_AMOUNT,
            joint=f"540500:15000.00;{code}:10000.00", **{"法律服务(人次)": 1, "心理疏导(人次)": 1 if i < 2 else None})
    for i, (code, single) in enumerate(data.SINGLE_2022):
        add(code, dt.date(2022, 1, 17) + dt.timedelta(days=10 * i), Decimal(single))
    return rows
