from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库、私有文件存储和清单（行数、每个文件的 sha256）到一个空目录"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dir", help="备份目录（不存在或为空）")

    def handle(self, *args: Any, dir: str, **options: Any) -> None:
        try:
            m = backup(Path(dir))
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"已备份 / backed up: {len(m['tables'])} 张表 tables, {sum(m['tables'].values())} 行 rows, "
                          f"{len(m['files'])} 个文件 files → {dir}")
