from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from jiuzhu.demo.loader import demo_accounts


class Command(BaseCommand):
    help = "列出演示账号：用户名、密码、角色、机构代码和名称。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="以JSON输出")

    def handle(self, *args: Any, json: bool = False, **options: Any) -> None:
        rows = demo_accounts()
        if json:
            self.stdout.write(_dumps(rows))
            return
        if not rows:
            self.stdout.write("没有演示账号（请先运行 jiuzhu load-demo）。")
            return
        self.stdout.write(f"演示账号（密码均为 {rows[0]['password']}）：")
        self.stdout.write(f"{'用户名':<22}{'角色':<10}{'机构代码':<8} 机构")
        for r in rows:
            self.stdout.write(f"{r['username']:<25}{r['role']:<{12 - len(r['role'])}}  {r['org_code']:<10}{r['org_name']}")


def _dumps(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
