"""`jiuzhu document_templates [--export DIR]`: make sure every document has its national default template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from jiuzhu.documents import actions, builder
from jiuzhu.documents.models import Kind


class Command(BaseCommand):
    help = "创建缺少的全国默认文书模板；--export 目录：另把内置默认模板写成 .docx 文件，供在 Word 中修改后上传。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--export", metavar="DIR", help="write the built-in default templates to DIR")

    def handle(self, *args: Any, export: str | None = None, **options: Any) -> None:
        for tpl in actions.ensure_default_templates():
            self.stdout.write(f"{tpl}")
        if export:
            folder = Path(export)
            folder.mkdir(parents=True, exist_ok=True)
            for kind in Kind:
                (folder / f"{kind.value}-{kind.label}.docx").write_bytes(builder.build_default_template(kind))
            self.stdout.write(self.style.SUCCESS(f"已导出 {len(Kind)} 个默认模板到 {folder}"))
