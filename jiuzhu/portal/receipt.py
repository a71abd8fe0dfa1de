"""The applicant's receipt (回执) as a PDF: the receipt number, the date and the materials handed in."""

from __future__ import annotations

import io
from pathlib import Path

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


def receipt_pdf(app: OnlineApplication) -> bytes:
    """Return the receipt of a submitted application."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"国家司法救助申请回执 {app.receipt_number}")
    width, height = A4
    y = height - 30 * mm
    c.setFont(font, 18)
    c.drawCentredString(width / 2, y, "国家司法救助网上申请回执")
    y -= 16 * mm
    c.setFont(font, 12)
    submitted = timezone.localtime(app.submitted_at) if app.submitted_at else None
    lines = [
        f"回执号：{app.receipt_number}",
        f"申请人：{app.applicant_name}",
        f"受理检察院：{app.org.name if app.org else ''}",
        f"提交时间：{submitted:%Y年%m月%d日 %H:%M}" if submitted else "",
        "",
        "提交的材料：",
    ]
    for i, f in enumerate(app.files.order_by("uploaded_at", "pk"), start=1):
        lines.append(f"  {i}. {f.get_kind_display()}：{f.original_name}（{max(1, f.size // 1024)}KB）")
    lines += ["", "检察院收到申请后，将在5个工作日内审查材料；材料不全的，会通知您补充。",
              "您可以凭提交申请时使用的手机号登录网上申请平台，查看办理进度、补充材料。",
              "咨询电话：12309"]
    for line in lines:
        for chunk in _wrap(line, font, 12, width - 40 * mm):
            if y < 25 * mm:
                c.showPage()
                c.setFont(font, 12)
                y = height - 25 * mm
            c.drawString(20 * mm, y, chunk)
            y -= 8 * mm
    c.showPage()
    c.save()
    return buf.getvalue()
