from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份目录恢复到空数据库和空文件存储，并按清单核对行数与文件校验值"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dir", help="jiuzhu backup 写出的目录")

    def handle(self, *args: Any, dir: str, **options: Any) -> None:
        try:
            m = restore(Path(dir))
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"已恢复并核对 / restored and verified: {len(m['tables'])} 张表 tables, "
                          f"{sum(m['tables'].values())} 行 rows, {len(m['files'])} 个文件 files")
