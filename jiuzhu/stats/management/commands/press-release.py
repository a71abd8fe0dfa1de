from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.stats.press import paragraph
from jiuzhu.stats.queries import StatsInputError, find_org, parse_period, top_org


class Command(BaseCommand):
    help = "按新闻发布口径输出一段统计文字（contracts §5），可与对比期间比较。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--org", default="", help="检察院代码或全称；不填为数据库中的最上级检察院")
        parser.add_argument("--compare-from", dest="compare_from", default="", help="对比期间起始日期")
        parser.add_argument("--compare-to", dest="compare_to", default="", help="对比期间截止日期")

    def handle(self, *args: Any, start: str, end: str, org: str = "", compare_from: str = "", compare_to: str = "",
               **options: Any) -> None:
        try:
            a, b = parse_period(start, end)
            where = find_org(org) if org else top_org()
            compare = None
            if compare_from or compare_to:
                if not (compare_from and compare_to):
                    raise CommandError("对比期间须同时填写 --compare-from 和 --compare-to。")
                compare = parse_period(compare_from, compare_to)
        except StatsInputError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(paragraph(where, a, b, compare=compare))
