"""`jiuzhu rotate-keys`: move every encrypted value, blind index and stored file to the newest key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jiuzhu.lib import crypto
from jiuzhu.people import rotation


class Command(BaseCommand):
    help = ("把全部加密字段、盲索引和存储文件转到最新密钥（JIUZHU_FIELD_KEYS 的第一个）和所配置的算法"
            "（JIUZHU_CIPHER、JIUZHU_BLIND_INDEX_ALG）。可中断：再次运行从断点继续；已是最新密钥的跳过。")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批行数或文件数（默认 500）")
        parser.add_argument("--max-batches", type=int, default=None,
                            help="本次最多处理的批数，其余留到下次（分几个维护窗口完成）")
        parser.add_argument("--checkpoint", default=None,
                            help="断点文件（默认 $JIUZHU_VAR_DIR/rotate-keys.checkpoint.json）")
        parser.add_argument("--reencrypt-files", action="store_true",
                            help="文件也换新的数据密钥并重新加密全部内容（默认只重新封装数据密钥）")

    def handle(self, *args: Any, batch_size: int, max_batches: int | None, checkpoint: str | None,
               reencrypt_files: bool, **options: Any) -> None:
        if batch_size < 1 or (max_batches is not None and max_batches < 1):
            raise CommandError("--batch-size 和 --max-batches 应为正整数。")
        try:
            crypto.newest_key_id()
        except ValueError as e:
            raise CommandError(f"密钥配置有误：{e}") from None
        path = Path(checkpoint) if checkpoint else Path(settings.VAR_DIR) / "rotate-keys.checkpoint.json"
        point = rotation.Checkpoint(path)
        resumed = bool(point.data["models"] or point.data["files"])
        if resumed:
            self.stderr.write(f"从断点继续：{path}")
        bar = tqdm(total=rotation.count_work(point), unit="项", desc="rotate-keys", file=sys.stderr,
                   disable=options.get("verbosity", 1) == 0)
        try:
            summary = rotation.rotate(checkpoint=point, batch_size=batch_size, max_batches=max_batches,
                                      full_files=reencrypt_files, progress=bar.update)
        except KeyboardInterrupt:
            bar.close()
            raise CommandError(f"已中断；再次运行将从断点继续（{path}）。") from None
        except (ValueError, OSError, InvalidTag) as e:
            bar.close()
            raise CommandError(f"无法完成：{e}；已完成的部分已保存，修正后再次运行将从断点继续。") from None
        bar.close()
        for name in summary.damaged:
            self.stderr.write(f"无法解密，未改动：{name}")
        self.stdout.write(f"rotate-keys（密钥 {crypto.newest_key_id().hex()}，{crypto.configured_cipher()}，"
                          f"{settings.BLIND_INDEX_ALG}）：{summary.line()}")
