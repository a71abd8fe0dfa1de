""".docx → PDF with LibreOffice headless, one private profile per conversion.

Two soffice processes sharing a profile fail, so each conversion gets its own
`-env:UserInstallation` in a temporary folder. The Chinese font names the templates use are not
installed on Debian; a fontconfig file (FONTCONFIG_FILE) maps them to the Noto CJK faces and
AR PL UKai (fonts-noto-cjk, fonts-arphic-ukai), otherwise every Chinese font renders as one sans.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jiuzhu.documents import render
from jiuzhu.documents.models import IssuedDocument
from jiuzhu.lib import clock

logger = logging.getLogger("jiuzhu.documents")

# family in the document → (installed family, bold?)
FONT_MAP: dict[str, tuple[str, bool]] = {
    "仿宋_GB2312": ("Noto Serif CJK SC", False),
    "仿宋": ("Noto Serif CJK SC", False),
    "FangSong": ("Noto Serif CJK SC", False),
    "FangSong_GB2312": ("Noto Serif CJK SC", False),
    "宋体": ("Noto Serif CJK SC", False),
    "SimSun": ("Noto Serif CJK SC", False),
    "方正小标宋简体": ("Noto Serif CJK SC", True),
    "方正小标宋_GBK": ("Noto Serif CJK SC", True),
    "小标宋": ("Noto Serif CJK SC", True),
    "黑体": ("Noto Sans CJK SC", False),
    "SimHei": ("Noto Sans CJK SC", False),
    "楷体_GB2312": ("AR PL UKai CN", False),
    "楷体": ("AR PL UKai CN", False),
    "KaiTi": ("AR PL UKai CN", False),
}
TIMEOUT_SECONDS = 180


class ConversionError(RuntimeError):
    pass


def fontconfig_xml() -> str:
    """Return a fonts.conf that includes the system's and maps the official Chinese font names."""
    rules = []
    for family, (target, bold) in FONT_MAP.items():
        weight = ('\n    <edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
                  if bold else "")
        rules.append(
            f'  <match target="pattern">\n    <test qual="any" name="family"><string>{family}</string></test>\n'
            f'    <edit name="family" mode="assign" binding="strong"><string>{target}</string></edit>{weight}\n'
            "  </match>")
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules) + "\n</fontconfig>\n")


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        raise ConversionError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    return path


def docx_to_pdf(docx: bytes) -> bytes:
    """Return DOCX converted to PDF by a LibreOffice process of its own (profile, fonts, folder)."""
    with tempfile.TemporaryDirectory(prefix="jiuzhu-lo-") as tmp:
        work = Path(tmp)
        (work / "fonts.conf").write_text(fontconfig_xml(), encoding="utf-8")
        src = work / "document.docx"
        src.write_bytes(docx)
        env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf"), "HOME": str(work),
               "SAL_USE_VCLPLUGIN": "svp"}
        cmd = [soffice(), "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(src)]
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as e:
            raise ConversionError(f"LibreOffice did not finish within {TIMEOUT_SECONDS} s") from e
        out = work / "out" / "document.pdf"
        if done.returncode != 0 or not out.exists():
            raise ConversionError(f"LibreOffice failed ({done.returncode}): {done.stderr.decode(errors='replace')[-300:]}")
        return out.read_bytes()


class TamperedFile(RuntimeError):
    """A stored file no longer matches the hash recorded when it was issued."""


def convert_now(document_id: int) -> IssuedDocument:
    """Convert the document's .docx to PDF and store it with its hash (once; synchronous)."""
    doc = IssuedDocument.objects.get(pk=document_id)
    if doc.pdf:
        return doc
    if not render.matches(doc.docx, doc.docx_sha256):
        logger.error("document %s: stored .docx does not match its hash; not converting", doc.pk)
        IssuedDocument.objects.filter(pk=doc.pk, pdf="").update(pdf_error="Word文件校验失败，未生成PDF。")
        raise TamperedFile(f"document {doc.pk}")
    try:
        data = docx_to_pdf(render.read(doc.docx))
    except ConversionError as e:
        logger.error("document %s: PDF conversion failed: %s", doc.pk, e)
        IssuedDocument.objects.filter(pk=doc.pk, pdf="").update(pdf_error="PDF生成失败，请稍后重试或联系管理员。")
        raise
    digest = render.sha256(data)
    name = default_storage.save(f"documents/{doc.case_id}/{doc.kind}-{doc.docx_sha256}.pdf", ContentFile(data))
    # Compare-and-set: a PDF once stored is frozen like the .docx; a second worker's copy is dropped.
    stored = IssuedDocument.objects.filter(pk=doc.pk, pdf="").update(
        pdf=name, pdf_sha256=digest, pdf_converted_at=clock.now(), pdf_error="")
    if stored != 1:
        default_storage.delete(name)
    doc.refresh_from_db()
    return doc
