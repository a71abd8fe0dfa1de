""".docx → PDF with LibreOffice headless, one private profile per conversion.

Two soffice processes sharing a profile fail, so each conversion gets its own
`-env:UserInstallation` in a temporary folder. The Chinese font names the templates use are not
installed on Debian; the fontconfig aliases shipped in `fonts/fonts.conf` (FONTCONFIG_FILE, through
`fontconfig_xml()`: the one place every conversion — scripts/run, scripts/serve, the worker — takes
its fonts from) map them to the Noto CJK SC faces and AR PL UKai (fonts-noto-cjk, fonts-arphic-ukai);
otherwise every Chinese font renders as one sans, in the JP face.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jiuzhu.documents import render
from jiuzhu.documents.models import IssuedDocument
from jiuzhu.lib import clock

logger = logging.getLogger("jiuzhu.documents")

# The font aliases shipped with Jiuzhu: the official Chinese font names → the installed SC faces.
FONTS_CONF = Path(__file__).with_name("fonts") / "fonts.conf"
# Noto CJK comes as collections (.ttc) whose one CFF table, shared by the JP/KR/SC/TC/HK faces, is named
# after the JP face; LibreOffice embeds it under that name ("NotoSerifCJKjp-Regular"), so a PDF set in
# the SC face says JP. Each SC face is therefore copied out of its collection once, its CFF names made
# the SC face's (same length: "CJKjp" → "CJKsc"), and the collections are hidden from the conversion.
SC_FACES = {  # collection → the index of its SC face (fc-query FILE -f '%{index} %{postscriptname}\n')
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc": 2,
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc": 2,
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc": 2,
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc": 2,
}
TIMEOUT_SECONDS = 180


class ConversionError(RuntimeError):
    pass


def _face_from_collection(data: bytes, index: int) -> bytes:
    """Return face INDEX of the font collection DATA as a font file of its own (tables copied)."""
    if data[:4] != b"ttcf" or index >= struct.unpack(">I", data[8:12])[0]:
        raise ValueError("not a font collection with that face")
    offset = struct.unpack(">I", data[12 + 4 * index:16 + 4 * index])[0]
    count = struct.unpack(">H", data[offset + 4:offset + 6])[0]
    records = [struct.unpack(">4sIII", data[offset + 12 + 16 * i:offset + 28 + 16 * i]) for i in range(count)]
    directory, body = bytearray(data[offset:offset + 12]), bytearray()
    start = 12 + 16 * count
    for tag, checksum, at, length in records:
        table = data[at:at + length]
        if tag == b"CFF ":
            table = table.replace(b"CJKjp-", b"CJKsc-")
        directory += struct.pack(">4sIII", tag, checksum, start + len(body), length)
        body += table + b"\0" * (-length % 4)
    return bytes(directory + body)


def sc_faces_dir() -> Path | None:
    """Return the folder of the SC faces copied out of the installed collections (made once), or None."""
    folder = Path(settings.VAR_DIR) / "fonts" / "sc"
    try:
        for source, index in SC_FACES.items():
            target = folder / (Path(source).stem + "-SC.otf")
            if target.exists() or not Path(source).exists():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            part = target.with_suffix(f".{os.getpid()}.part")
            part.write_bytes(_face_from_collection(Path(source).read_bytes(), index))
            part.replace(target)  # atomic: a second worker never reads half a font
    except (OSError, ValueError):
        logger.exception("could not copy the SC faces out of the Noto CJK collections")
        return None
    return folder if any(folder.glob("*.otf")) else None


def fontconfig_xml() -> str:
    """Return the fonts.conf of a conversion: the system's, the SC faces (collections hidden), the aliases."""
    faces = sc_faces_dir()
    extra = ""
    if faces is not None:
        hidden = "".join(f"<glob>{src}</glob>" for src in SC_FACES
                         if (faces / (Path(src).stem + "-SC.otf")).exists())
        extra = (f"  <dir>{faces}</dir>\n  <cachedir>{faces.parent / 'cache'}</cachedir>\n"
                 f"  <selectfont><rejectfont>{hidden}</rejectfont></selectfont>\n")
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + extra
            + f"  <include>{FONTS_CONF}</include>\n</fontconfig>\n")


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
