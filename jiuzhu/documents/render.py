"""Fill a .docx template with docxtpl, and check files against their stored hashes."""

from __future__ import annotations

import hashlib
import hmac
import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from docxtpl import DocxTemplate


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_docx(template: bytes, context: dict[str, Any]) -> bytes:
    """Return TEMPLATE rendered with CONTEXT (values XML-escaped, so any text is safe)."""
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def placeholders(template: bytes) -> list[str]:
    """Return the names TEMPLATE uses, after checking it is a .docx docxtpl can open (ValidationError)."""
    if not zipfile.is_zipfile(io.BytesIO(template)):
        raise ValidationError("文件不是有效的 Word（.docx）文档。")
    with zipfile.ZipFile(io.BytesIO(template)) as z:
        if "word/document.xml" not in z.namelist():
            raise ValidationError("文件不是有效的 Word（.docx）文档。")
    try:
        return sorted(DocxTemplate(io.BytesIO(template)).get_undeclared_template_variables())
    except Exception as e:  # noqa: BLE001 - any parse error (XML, Jinja syntax) is the uploader's to fix
        raise ValidationError(f"模板无法解析：{e}") from e


def read(field: FieldFile) -> bytes:
    with field.open("rb") as f:
        return f.read()


def matches(field: FieldFile, expected: str) -> bool:
    """Return whether the stored file's SHA-256 is EXPECTED (False when the file is missing)."""
    if not field or not expected:
        return False
    digest = hashlib.sha256()
    try:
        with field.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                digest.update(chunk)
    except OSError:
        return False
    return hmac.compare_digest(digest.hexdigest(), expected)
