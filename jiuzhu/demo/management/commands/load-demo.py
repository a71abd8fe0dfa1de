from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.demo.loader import DemoError, load


class Command(BaseCommand):
    help = "载入山南演示数据（contracts §6），通过真实的业务操作写入；只能载入没有案件的数据库。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--orgs-only", action="store_true", help="只载入机构和演示人员，不载入案件")

    def handle(self, *args: Any, orgs_only: bool = False, **options: Any) -> None:
        try:
            load(orgs_only=orgs_only)
        except DemoError as e:
            raise CommandError(str(e)) from None
        from jiuzhu.cases.models import AidCase
        from jiuzhu.orgs.models import Organisation

        self.stdout.write(self.style.SUCCESS(
            f"已载入山南演示数据：机构 {Organisation.objects.count()} 个，救助案件 {AidCase.objects.count()} 件。"))
