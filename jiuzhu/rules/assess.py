"""`jiuzhu assess`: judge the facts of one application against the rules (contracts §7).

`assess(facts)` takes the parsed JSON object and returns exactly the §7 answer; bad input raises
AssessError (a Chinese message naming the field), a missing wage base raises NoWageBase.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jiuzhu.orgs.actions import resolve_procuratorate
from jiuzhu.orgs.models import Organisation
from jiuzhu.rules.amount import cap_for, parse_money
from jiuzhu.rules.approval import route_for
from jiuzhu.rules.eligibility import CATEGORIES, GROUNDS, judge
from jiuzhu.rules.errors import AssessError, NoWageBase

__all__ = ["AssessError", "Facts", "NoWageBase", "assess", "parse_facts", "validate"]

FIELDS = {
    "org": "承办检察院",
    "category": "救助情形",
    "refusal_grounds": "不予救助情形",
    "decision_date": "决定日期",
    "requested_yuan": "拟救助金额",
}
REQUIRED = ["org", "category", "refusal_grounds", "decision_date"]
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _field(key: str) -> str:
    return f"“{key}”（{FIELDS[key]}）"


@dataclass(frozen=True)
class Facts:
    """The validated input of one assessment."""

    org: Organisation
    category: str
    refusal_grounds: tuple[str, ...]
    decision_date: dt.date
    requested_yuan: Decimal | None


def parse_facts(text: str) -> dict[str, Any]:
    """Return the JSON object in TEXT, numbers as Decimal (never float); raise AssessError if malformed."""
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if dupes := sorted({k for k in keys if keys.count(k) > 1}):
            raise AssessError(f"输入中有重复的键：{'、'.join(dupes)}。")
        return dict(pairs)

    def no_constant(name: str) -> Any:
        raise AssessError(f"输入不是有效的JSON：不支持 {name}。")

    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=no_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        raise AssessError(f"输入不是有效的JSON（第{e.lineno}行第{e.colno}列）：{e.msg}。") from None
    if not isinstance(data, dict):
        raise AssessError("输入应是一个JSON对象，例如 {\"org\": \"540528\", \"category\": \"E1\", …}。")
    return data


def validate(facts: dict[str, Any]) -> Facts:
    """Return FACTS checked strictly (contracts §7), or raise AssessError naming the field."""
    if not isinstance(facts, dict):
        raise AssessError("输入应是一个JSON对象。")
    if unknown := sorted(str(k) for k in facts if k not in FIELDS):
        raise AssessError(f"输入中有未知的键：{'、'.join(unknown)}；允许的键：{'、'.join(FIELDS)}。")
    if missing := [k for k in REQUIRED if k not in facts]:
        raise AssessError(f"缺少必填的键：{'、'.join(_field(k) for k in missing)}。")
    return Facts(org=_org(facts["org"]), category=_category(facts["category"]),
                 refusal_grounds=_grounds(facts["refusal_grounds"]), decision_date=_date(facts["decision_date"]),
                 requested_yuan=_requested(facts.get("requested_yuan")))


def _org(value: Any) -> Organisation:
    if not isinstance(value, str) or not value.strip():
        raise AssessError(f"{_field('org')}应是检察院的六位代码或全称（字符串），例如 \"540528\"。")
    org = resolve_procuratorate(value)
    if org is None:
        raise AssessError(f"{_field('org')}找不到检察院“{value}”：应为六位代码或检察院全称。")
    return org


def _category(value: Any) -> str:
    if not isinstance(value, str) or value not in CATEGORIES:
        raise AssessError(f"{_field('category')}“{value}”无效：应为 {'、'.join(CATEGORIES)} 之一。")
    return value


def _grounds(value: Any) -> tuple[str, ...]:
    allowed = "、".join(GROUNDS)
    if not isinstance(value, list):
        raise AssessError(f"{_field('refusal_grounds')}应是列表，例如 [\"X5\"]；没有时写 []。")
    if bad := [g for g in value if not isinstance(g, str) or g not in GROUNDS]:
        raise AssessError(f"{_field('refusal_grounds')}中有无效的情形：{'、'.join(map(str, bad))}；应为 {allowed}。")
    if len(set(value)) != len(value):
        raise AssessError(f"{_field('refusal_grounds')}中有重复的情形。")
    return tuple(value)


def _date(value: Any) -> dt.date:
    if isinstance(value, str) and DATE_TEXT.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise AssessError(f"{_field('decision_date')}“{value}”不是有效的日期：应为 YYYY-MM-DD，例如 \"2026-11-29\"。")


def _requested(value: Any) -> Decimal | None:
    if value is None:
        return None
    return parse_money(value, _field("requested_yuan"), error=AssessError, positive=True)


def assess(facts: dict[str, Any]) -> dict[str, Any]:
    """Return the contracts §7 answer for FACTS (the parsed input object)."""
    f = validate(facts)
    eligible, reasons = judge(f.category, list(f.refusal_grounds))
    cap = cap_for(f.org, f.decision_date)
    requested = f.requested_yuan
    over_cap = requested is not None and requested > cap.cap_yuan
    route = route_for(f.org, requested if requested is not None else Decimal(0), over_cap=over_cap)
    return {
        "eligible": eligible,
        "reasons": [r.as_dict() for r in reasons],
        "base_year": cap.base_year,
        "base_monthly_yuan": f"{cap.base_monthly_yuan:.2f}",
        "cap_months": cap.cap_months,
        "cap_yuan": f"{cap.cap_yuan:.2f}",
        "over_cap": over_cap,
        "approval_route": list(route.labels),
    }
