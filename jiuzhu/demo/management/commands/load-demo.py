from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.demo.loader import DemoError, load


class Command(BaseCommand):
    help = "载入山南演示数据（contracts §6），通过真实的业务操作写入；只能载入没有案件的数据库。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--orgs-only", action="store_true", help="只载入机构和演示人员，不载入案件")
        parser.add_argument("--with-2fa", action="store_true",
                            help="为每个演示账号绑定身份验证器（TOTP），密钥由 jiuzhu demo-accounts 列出；"
                                 "运行时须 JIUZHU_2FA_REQUIRED=True（默认）")

    def handle(self, *args: Any, orgs_only: bool = False, with_2fa: bool = False, **options: Any) -> None:
        try:
            load(orgs_only=orgs_only, with_2fa=with_2fa)
        except DemoError as e:
            raise CommandError(str(e)) from None
        from jiuzhu.cases.models import AidCase
        from jiuzhu.orgs.models import Organisation

        self.stdout.write(self.style.SUCCESS(
            f"已载入山南演示数据：机构 {Organisation.objects.count()} 个，救助案件 {AidCase.objects.count()} 件。"))
