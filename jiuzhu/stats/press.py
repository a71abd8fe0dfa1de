"""The press-release paragraph (contracts §5): figures as a procuratorate states them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from jiuzhu.orgs.models import Organisation
from jiuzhu.stats.queries import Stats, compute, paid_in_scope

SUFFIX = "人民检察院"


def wan(amount: Decimal) -> str:
    """Return AMOUNT yuan in 万元 with one decimal: 848000 → "84.8万元"."""
    return f"{(amount / Decimal(10000)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}万元"


def jian_ren(cases: int, persons: int) -> str:
    return f"{cases}件{persons}人"


def period_text(start: dt.date, end: dt.date) -> str:
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return f"{start.year}年" if start.year == end.year else f"{start.year}年至{end.year}年"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


def whole_years(start: dt.date, end: dt.date) -> int | None:
    """Return how many calendar years [START, END] spans exactly, or None when it is not whole years."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and end.year >= start.year:
        return end.year - start.year + 1
    return None


def scope_text(org: Organisation, has_children: bool) -> str:
    if has_children:
        return org.name.removesuffix(SUFFIX) + "检察机关"
    return org.name


def joint_names(scope: Organisation, names: list[str]) -> str:
    """"山南市人民检察院与加查县、浪卡子县人民检察院": the scope's own procuratorate first."""
    first = [n for n in names if n == scope.name]
    others = [n.removesuffix(SUFFIX) for n in names if n != scope.name]
    if not others:
        return "、".join(names)
    tail = "、".join(others) + SUFFIX
    return f"{first[0]}与{tail}" if first else f"{tail}"


def money_text(decided: Decimal, paid: Decimal) -> str:
    """发放 only for money actually paid out: "发放救助金84.8万元" when all the decided aid is paid, else
    "决定救助金额15.8万元，已发放12.1万元" (or "尚未发放" when nothing is paid yet)."""
    if paid >= decided:
        return f"发放救助金{wan(decided)}"
    return f"决定救助金额{wan(decided)}，" + (f"已发放{wan(paid)}" if paid else "尚未发放")


def comparison(current: Stats, previous: Stats) -> str:
    """How the first period compares with the second (by number of cases)."""
    years = whole_years(previous.start, previous.end)
    what = f"前{years}年总和" if years and years > 1 else (f"{previous.start.year}年" if years == 1 else
                                                   f"{period_text(previous.start, previous.end)}")
    if previous.cases == 0:
        return f"{what}没有救助案件，无法计算倍数"
    ratio = Decimal(current.cases) / Decimal(previous.cases)
    if ratio >= 2:
        return f"案件数量是{what}的{ratio.to_integral_value(rounding=ROUND_DOWN)}倍"
    change = ((ratio - 1) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if change == 0:
        return f"案件数量与{what}持平"
    word = "增长" if change > 0 else "下降"
    return f"案件数量比{what}{word}{abs(change)}%"


def paragraph(org: Organisation, start: dt.date, end: dt.date, *, compare: tuple[dt.date, dt.date] | None = None,
              current: Stats | None = None) -> str:
    """Return the press-release paragraph for ORG's scope in [START, END]."""
    s = current or compute(org, start, end)
    paid, joint_paid = paid_in_scope(org, start, end)
    has_children = Organisation.objects.filter(parent=org).exists()
    head = f"{period_text(start, end)}，{scope_text(org, has_children)}"
    if s.cases == 0:
        text = f"{head}未办理决定救助的司法救助案件"
    else:
        text = f"{head}共办理司法救助案件{jian_ren(s.cases, s.persons)}，{money_text(s.amount, paid)}"
    if compare is not None:
        text += "，" + comparison(s, compute(org, *compare))
    text += "。"
    if s.joint["cases"]:
        text += (f"其中，{joint_names(org, s.joint_orgs)}联合司法救助案件{jian_ren(s.joint['cases'], s.joint['persons'])}，"
                 f"{money_text(s.joint['amount'], joint_paid)}。")
    services = [(k, v) for k, v in s.services.items() if v]
    if services:
        verbs = {"心理疏导": "运用心理疏导方式", "法律服务": "提供法律服务"}
        text += "，".join(f"{verbs.get(k, '开展' + k)}{v}人次" for k, v in services) + "。"
    return text
