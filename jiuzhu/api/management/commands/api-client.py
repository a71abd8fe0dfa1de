"""`jiuzhu api-client --org CODE --name NAME [--scopes submit,read_cases,read_stats]`: issue a client token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.api import tokens
from jiuzhu.orgs.models import Organisation


class Command(BaseCommand):
    help = "为其他系统（12309平台、统一业务应用系统）签发接口令牌；令牌只显示一次，系统只保存其摘要。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="所属检察院代码或全称")
        parser.add_argument("--name", required=True, help="客户端名称，例如“12309检察服务平台”")
        parser.add_argument("--scopes", default="submit,read_cases", help="权限范围：submit,read_cases,read_stats")
        parser.add_argument("--rate", type=int, default=60, help="每分钟调用上限")

    def handle(self, *args: Any, org: str, name: str, scopes: str, rate: int, **options: Any) -> None:
        found = Organisation.objects.filter(code=org).first() or Organisation.objects.filter(name=org).first()
        if found is None:
            raise CommandError(f"找不到检察院：{org}")
        if rate < 1:
            raise CommandError("每分钟调用上限须为正整数。")
        try:
            client, token = tokens.issue(name=name, org=found, scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                                         rate_per_minute=rate)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        self.stdout.write(f"已签发：{client.name}（{found.name}，权限 {','.join(client.scopes)}）")
        self.stdout.write(f"令牌（只显示这一次）：{token}")
