from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.stats import ledger


class Command(BaseCommand):
    help = "导入司法救助案件台账（contracts §3）：全部正确才写入；已导入的案件跳过，不一致的报告为冲突。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="台账工作簿 FILE.xlsx")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, file: str, dry_run: bool = False, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        bar = _Bar(self.stderr) if sys.stderr.isatty() else None
        try:
            with path.open("rb") as fh:
                checked = ledger.check(fh, progress=bar.update("检查") if bar else None)
        except ledger.LedgerError as e:
            raise CommandError(str(e)) from None
        finally:
            if bar:
                bar.close()
        if checked.errors:
            errors_path = path.with_name(path.name.removesuffix(".xlsx") + ".errors.xlsx") \
                if path.name.endswith(".xlsx") else path.with_name(path.name + ".errors.xlsx")
            errors_path.write_bytes(ledger.errors_workbook(checked))
            for message in checked.messages():
                self.stderr.write(message)
            raise CommandError(f"台账有 {len(checked.errors)} 处错误，未导入任何案件；错误清单已写入 {errors_path}")
        if dry_run:
            self.stdout.write(f"检查通过（未写入）：可导入 {len(checked.new)} 件，跳过 {checked.existing} 件（已存在）")
            return
        bar = _Bar(self.stderr) if sys.stderr.isatty() else None
        try:
            n = ledger.import_rows(checked, acting_user=None, progress=bar.update("导入") if bar else None)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        finally:
            if bar:
                bar.close()
        self.stdout.write(f"导入 {n} 件，跳过 {checked.existing} 件（已存在）")


class _Bar:
    """A tqdm progress bar on the terminal, fed by the ledger's progress(done, total) callbacks."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.bar: Any = None

    def update(self, label: str) -> Any:
        from tqdm import tqdm

        def step(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = tqdm(total=total, desc=label, unit="行", file=sys.stderr, leave=False)
            self.bar.update(done - self.bar.n)  # tqdm redraws at most every 0.1 s

        return step

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
