from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.stats import ledger
from jiuzhu.stats.queries import StatsInputError, find_org, parse_period, top_org


class Command(BaseCommand):
    help = "导出期间内已决定案件的台账（contracts §3 格式）；导入空数据库后统计相同。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="输出的 FILE.xlsx")
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--org", default="", help="检察院代码或全称；不填为数据库中的最上级检察院")

    def handle(self, *args: Any, file: str, start: str, end: str, org: str = "", **options: Any) -> None:
        try:
            a, b = parse_period(start, end)
            where = find_org(org) if org else top_org()
        except StatsInputError as e:
            raise CommandError(str(e)) from None
        path = Path(file)
        if not path.parent.is_dir():
            raise CommandError(f"目录不存在：{path.parent}")
        warnings: list[str] = []
        data, n = ledger.ledger_workbook(where, a, b, warnings)
        try:
            path.write_bytes(data)
        except OSError as e:
            raise CommandError(f"无法写入 {path}：{e.strerror}") from None
        for w in warnings:
            self.stderr.write(w)
        self.stdout.write(f"已导出 {n} 件案件到 {path}（{where.name}，{a} 至 {b}）")
