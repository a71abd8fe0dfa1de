from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.stats.queries import StatsInputError, compute, find_org, parse_period, top_org


class Command(BaseCommand):
    help = "打印统计数据（contracts §4）：案件数、人数、金额，按年度、检察院、人员类别，联合救助与帮扶服务。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--org", default="", help="检察院代码或全称；不填为数据库中的最上级检察院")
        parser.add_argument("--json", action="store_true", help="输出 contracts §4 的 JSON 对象")

    def handle(self, *args: Any, start: str, end: str, org: str = "", json: bool = False, **options: Any) -> None:
        try:
            a, b = parse_period(start, end)
            where = find_org(org) if org else top_org()
        except StatsInputError as e:
            raise CommandError(str(e)) from None
        s = compute(where, a, b)
        if json:
            self.stdout.write(_dumps(s.as_json()))
            return
        self.stdout.write(render_table(s.as_json()))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


def render_table(d: dict[str, Any]) -> str:
    lines = [f"{d['org']['name']}（{d['org']['code']}）  {d['from']} 至 {d['to']}",
             f"救助案件 {d['cases']} 件  救助人数 {d['persons']} 人  救助金额 {d['amount_yuan']} 元  不予救助 {d['refused']} 件",
             f"联合救助 {d['joint']['cases']} 件 {d['joint']['persons']} 人  金额 {d['joint']['amount_yuan']} 元",
             "", "按年度：  年度  件数  人数  金额(元)"]
    lines += [f"          {r['year']}  {r['cases']:>4}  {r['persons']:>4}  {r['amount_yuan']:>12}" for r in d["by_year"]]
    lines += ["", "按检察院：代码    件数  金额(元)      名称"]
    lines += [f"          {r['code']}  {r['cases']:>4}  {r['amount_yuan']:>12}  {r['name']}" for r in d["by_org"]]
    lines += ["", "按人员类别：人数  金额(元)      类别"]
    lines += [f"          {v['persons']:>4}  {v['amount_yuan']:>12}  {g}" for g, v in d["by_group"].items()]
    lines += ["", "帮扶服务：" + "，".join(f"{k} {v} 人次" for k, v in d["services"].items())]
    return "\n".join(lines)
