from __future__ import annotations

import json
import unicodedata
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
        totp = any("totp_secret" in r for r in rows)
        if totp:
            self.stdout.write("两步验证已启用：把“TOTP 密钥”手动输入手机身份验证器应用（基于时间，6 位，30 秒），"
                              "登录时输入应用显示的验证码。")
        head = f"{_pad('用户名', 26)}{_pad('角色', 16)}{_pad('机构代码', 10)}"
        self.stdout.write(head + (f"{_pad('TOTP 密钥', 34)}" if totp else "") + "机构")
        for r in rows:
            secret = f"{_pad(r.get('totp_secret', '-'), 34)}" if totp else ""
            self.stdout.write(f"{_pad(r['username'], 26)}{_pad(r['role'], 16)}{_pad(r['org_code'], 10)}"
                              f"{secret}{r['org_name']}")


def _pad(text: str, width: int) -> str:
    """Pad TEXT to WIDTH terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def _dumps(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
