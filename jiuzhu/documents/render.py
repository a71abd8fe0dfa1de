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

from jiuzhu.documents import sandbox


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# docxtpl renders these core properties of the .docx as templates too (DocxTemplate.render_properties);
# every string property is checked, whether docxtpl renders it today or not.
CORE_PROPERTIES = ("author", "category", "comments", "content_status", "identifier", "keywords", "language",
                   "last_modified_by", "subject", "title", "version")
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _sources(tpl: DocxTemplate) -> list[str]:
    """Return every Jinja source docxtpl renders from TPL: body, headers, footers, properties, footnotes."""
    tpl.init_docx()
    out = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        out.extend(tpl.patch_xml(tpl.get_part_xml(part)) for _, part in tpl.get_headers_footers(uri))
    out.extend(str(getattr(tpl.docx.core_properties, prop, "") or "") for prop in CORE_PROPERTIES)
    for part in tpl.docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            blob = part.blob
            out.append(tpl.patch_xml(blob.decode("utf-8") if isinstance(blob, bytes) else blob))
    return out


def render_docx(template: bytes, context: dict[str, Any], kind: str) -> bytes:
    """Return TEMPLATE rendered with CONTEXT in the sandbox of KIND (values XML-escaped, so any text is safe).

    Every source is checked against KIND's allow-list again as it is compiled (a template stored
    before the check existed, or written to the database directly): sandbox.TemplateRefused, or
    jinja2's SecurityError for anything that still reaches the sandbox.
    """
    from jiuzhu.documents.context import template_policy

    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(sandbox.plain(context), jinja_env=sandbox.SafeEnvironment(template_policy(kind)), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def placeholders(template: bytes, kind: str) -> list[str]:
    """Return the field names TEMPLATE uses, after checking it against KIND's allow-list (ValidationError).

    The file must be a .docx docxtpl can open; every tag must be one the sandbox allows for KIND
    (sandbox.Policy); the message names the first tag refused.
    """
    from jiuzhu.documents.context import FIELDS, template_policy

    if not zipfile.is_zipfile(io.BytesIO(template)):
        raise ValidationError("文件不是有效的 Word（.docx）文档。")
    with zipfile.ZipFile(io.BytesIO(template)) as z:
        if "word/document.xml" not in z.namelist():
            raise ValidationError("文件不是有效的 Word（.docx）文档。")
    env = sandbox.SafeEnvironment(template_policy(kind))
    try:
        trees = [env.parse_unchecked(src) for src in _sources(DocxTemplate(io.BytesIO(template)))]
    except Exception as e:  # noqa: BLE001 - any parse error (XML, Jinja syntax) is the uploader's to fix
        raise ValidationError(f"模板无法解析：{e}") from e
    names: set[str] = set()
    for tree in trees:
        names |= sandbox.Policy.names(tree)
    unknown = sorted(n for n in names if n not in FIELDS and not n.startswith("_"))
    if unknown:
        raise ValidationError(f"模板中有系统不认识的占位符：{'、'.join(unknown)}。可用的占位符见“占位符说明”。")
    used: set[str] = set()
    for tree in trees:
        try:
            used |= env.policy.check(tree)
        except sandbox.TemplateRefused as e:
            raise ValidationError(str(e)) from e
    return sorted(used)


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
