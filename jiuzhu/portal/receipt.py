"""The applicant's receipt (回执) as a PDF: the receipt number, the date and the materials handed in."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from django.utils import timezone

from jiuzhu.portal.models import OnlineApplication

_FONT: str | None = None
# A TrueType CJK font (Debian's fonts-arphic-ukai, also used for documents) is embedded, so the receipt
# reads the same everywhere; without it, the PDF falls back to a standard CID font (not embedded).
_TTF_CANDIDATES = ["/usr/share/fonts/truetype/arphic/ukai.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc"]


def _font() -> str:
    global _FONT
    if _FONT:
        return _FONT
    from reportlab.pdfbase import pdfmetrics

    for path in _TTF_CANDIDATES:
        if Path(path).exists():
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont("JiuzhuCJK", path, subfontIndex=0))
            _FONT = "JiuzhuCJK"
            return _FONT
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _FONT = "STSong-Light"
    return _FONT


def _wrap(text: str, font: str, size: int, max_width: float) -> list[str]:
    """Split TEXT into lines no wider than MAX_WIDTH (measured in the font, character by character)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out, current = [], ""
    for char in text:
        if current and stringWidth(current + char, font, size) > max_width:
            out.append(current)
            current = "    " + char if text.startswith("  ") else char
        else:
            current += char
    out.append(current)
    return out


TIBETAN_FONT = "JiuzhuTibetan"
_TIBETAN_RUN = re.compile(r"([\u0f00-\u0fff][\u0f00-\u0fff \d.]*)")


def _tibetan_font() -> str | None:
    """Register Tibetan Machine Uni (Debian's fonts-tibetan-machine), shaped by HarfBuzz; None if missing."""
    from reportlab.pdfbase import pdfmetrics

    from jiuzhu.lib.fonts import TIBETAN_FONT_FILE

    if TIBETAN_FONT in pdfmetrics.getRegisteredFontNames():
        return TIBETAN_FONT
    if not TIBETAN_FONT_FILE.exists():
        return None
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(TIBETAN_FONT, str(TIBETAN_FONT_FILE), shapable=True))
    return TIBETAN_FONT


def _runs(text: str, cjk: str, tibetan: str) -> list[tuple[str, str]]:
    """Split TEXT into (run, font): Tibetan runs in the Tibetan font, the rest (Chinese, digits) in CJK."""
    return [(part, tibetan if _TIBETAN_RUN.fullmatch(part) else cjk)
            for part in _TIBETAN_RUN.split(text) if part]


def _width(text: str, cjk: str, tibetan: str, size: int) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(run, font, size) for run, font in _runs(text, cjk, tibetan))


def _wrap_tibetan(text: str, cjk: str, tibetan: str, size: int, max_width: float) -> list[str]:
    """Break a Tibetan line only after a tsheg (་), a shad (།) or a space: never inside a stack."""
    pieces = re.findall(r"[^་། ]*[་། ]+|[^་། ]+$", text)
    out, current = [], ""
    for piece in pieces:
        if current and _width(current + piece, cjk, tibetan, size) > max_width:
            out.append(current)
            current = "    " + piece if text.startswith("  ") else piece
        else:
            current += piece
    out.append(current)
    return out


def _draw(c: Any, x: float, y: float, text: str, cjk: str, tibetan: str, size: int) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for run, font in _runs(text, cjk, tibetan):
        c.setFont(font, size)
        c.drawString(x, y, run, shaping=font == tibetan)
        x += stringWidth(run, font, size)


def _lines(app: OnlineApplication, language: str) -> list[str]:
    """The receipt's lines in LANGUAGE (the Chinese ones are the msgids themselves)."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from jiuzhu.lib.i18n import format_date
    from jiuzhu.portal.models import PORTAL_KIND_TITLES

    submitted = timezone.localtime(app.submitted_at) if app.submitted_at else None
    with translation.override(language):
        lines = [
            _("回执号：%(number)s") % {"number": app.receipt_number},
            _("申请人：%(name)s") % {"name": app.applicant_name},
            _("受理检察院：%(org)s") % {"org": app.org.name if app.org else ""},
            (_("提交时间：%(at)s") % {"at": f"{format_date(submitted)} {submitted:%H:%M}"}) if submitted else "",
            "",
            _("提交的材料："),
        ]
        for i, f in enumerate(app.files.order_by("uploaded_at", "pk"), start=1):
            lines.append(f"  {i}. {PORTAL_KIND_TITLES.get(f.kind, f.get_kind_display())}{_('：')}{f.original_name}"
                         f"（{max(1, f.size // 1024)}KB）")
        lines += ["", _("检察院收到申请后，将在5个工作日内审查材料；材料不全的，会通知您补充。"),
                  _("您可以凭提交申请时使用的手机号登录网上申请平台，查看办理进度、补充材料。"),
                  _("咨询电话：12309")]
        return [_("国家司法救助网上申请回执")] + lines


def receipt_pdf(app: OnlineApplication) -> bytes:
    """Return the receipt of a submitted application: Chinese, then (for a Tibetan applicant) Tibetan.

    The Chinese text is the authoritative one; the Tibetan section says so."""
    from django.utils import translation
    from django.utils.translation import gettext as _
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = _font()
    tibetan = _tibetan_font() if app.language == "bo" else None
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"国家司法救助申请回执 {app.receipt_number}")
    width, height = A4
    y = height - 30 * mm
    sections = [("zh-hans", _lines(app, "zh-hans"))]
    if tibetan:
        with translation.override("bo"):
            note = _("以上藏文为汉文的译文，以汉文为准。")
        sections.append(("bo", _lines(app, "bo") + ["", note]))
    for index, (language, (title, *lines)) in enumerate(sections):
        if index:
            y -= 6 * mm
            if y < 60 * mm:
                c.showPage()
                y = height - 30 * mm
            c.line(20 * mm, y + 4 * mm, width - 20 * mm, y + 4 * mm)
            y -= 8 * mm
        if language == "bo" and tibetan:
            _draw(c, (width - _width(title, font, tibetan, 16)) / 2, y, title, font, tibetan, 16)
        else:
            c.setFont(font, 18)
            c.drawCentredString(width / 2, y, title)
        y -= 16 * mm
        for line in lines:
            chunks = (_wrap_tibetan(line, font, tibetan, 12, width - 40 * mm) if language == "bo" and tibetan
                      else _wrap(line, font, 12, width - 40 * mm))
            for chunk in chunks:
                if y < 25 * mm:
                    c.showPage()
                    y = height - 25 * mm
                if tibetan:
                    _draw(c, 20 * mm, y, chunk, font, tibetan, 12)
                else:
                    c.setFont(font, 12)
                    c.drawString(20 * mm, y, chunk)
                y -= (9 if language == "bo" else 8) * mm
    c.showPage()
    c.save()
    return buf.getvalue()
