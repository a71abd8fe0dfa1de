"""The Tibetan part of the papers handed to a Tibetan-reading applicant (issue 16).

When the case's `applicant_language` is 'bo', the notice (告知书), the supplement and acceptance notices
and the decisions are issued bilingually: the Chinese document as rendered from its template, then, on a
new page, this Tibetan translation (national wording, translated through the `bo` catalogue; names,
numbers and staff-written details inserted as they are). The Chinese text is the authoritative one and
the Tibetan part says so. Kept apart from the templates (builder.py) so that template changes and this
part do not collide; the fonts: Tibetan Machine Uni for Tibetan, 仿宋_GB2312 (mapped) for Chinese runs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from jiuzhu.lib.fonts import TIBETAN_FONT_FAMILY
from jiuzhu.lib.i18n import format_amount, format_date

BILINGUAL_KINDS = {"notice", "supplement_notice", "acceptance_notice", "grant_decision", "refusal_decision"}
CHINESE_FONT = "仿宋_GB2312"
BODY, TITLE = Pt(18), Pt(22)  # Tibetan Machine Uni draws small: a size up from 3号 body text


def titles() -> dict[str, str]:
    return {"notice": _("国家司法救助权利告知书"), "supplement_notice": _("补正材料通知书"),
            "acceptance_notice": _("受理通知书"), "grant_decision": _("国家司法救助决定书"),
            "refusal_decision": _("不予救助决定书")}


def _day(value: Any) -> str:
    """A date (or a Chinese date string from the context) in Tibetan."""
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, str) and (m := re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", value)):
        return format_date(dt.date(int(m[1]), int(m[2]), int(m[3])))
    return str(value or "")


def _fonts(run: Any) -> None:
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), TIBETAN_FONT_FAMILY)
    fonts.set(qn("w:eastAsia"), CHINESE_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:bidi"), "bo-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    cs = OxmlElement("w:cs")  # Tibetan is complex script: LibreOffice and Word use the w:cs font for it
    rpr.append(cs)
    size = OxmlElement("w:szCs")
    size.set(qn("w:val"), str(int(run.font.size.pt * 2)) if run.font.size else "30")
    rpr.append(size)


def _para(doc: Any, text: str, *, size: Pt = BODY, align: int = WD_ALIGN_PARAGRAPH.LEFT, bold: bool = False,
          first_line: bool = True) -> None:
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(36)
    if first_line:
        fmt.first_line_indent = Pt(30)
    run = p.add_run(text)
    run.font.size = size
    run.font.bold = bold
    _fonts(run)


def _lines(kind: str, case: Any, ctx: dict[str, Any]) -> list[str]:
    name = ctx.get("applicant_name") or ctx.get("notified_name") or ""
    applied, accepted = _day(case.applied_on), _day(case.accepted_on)
    contact = _("联系人：%(handler)s　联系电话：%(phone)s") % {"handler": ctx.get("handler_name", ""),
                                                          "phone": ctx.get("contact_phone", "")}
    if kind == "notice":
        return [_("%(name)s：") % {"name": ctx.get("notified_name") or name},
                _("本院在办案过程中了解到，你可能符合国家司法救助条件。现将有关事项告知如下："),
                _("一、因案件遭受损害、生活困难的，可以向本院申请国家司法救助。"),
                _("二、申请一般应当书面提出；书写确有困难的，可以口头申请，由本院工作人员制作笔录；可以委托代理人代为申请。"),
                _("三、材料不齐全的，本院将告知需要补正的材料；应当自收到补正通知之日起%(days)s日内补正，"
                  "无正当理由逾期未补正的，视为放弃申请。") % {"days": ctx.get("supplement_days", "")},
                _("四、国家司法救助以支付救助金为主要方式，同一案件的同一申请人只救助一次。"), contact]
    if kind == "supplement_notice":
        missing = [f"{i}. {m}" for i, m in enumerate(ctx.get("missing_items") or [], start=1)]
        return [_("%(name)s：") % {"name": name},
                _("你于%(applied)s向本院提出国家司法救助申请。经审查，申请材料不齐全，请补充提交下列材料：")
                % {"applied": applied}, *missing,
                _("请于%(due)s前向本院补充提交；无正当理由逾期未补充提交的，视为放弃救助申请。")
                % {"due": _day(ctx.get("supplement_due"))}, contact]
    if kind == "acceptance_notice":
        return [_("%(name)s：") % {"name": name},
                _("你于%(applied)s提出的国家司法救助申请，经审查符合受理条件，本院已于%(accepted)s决定受理"
                  "（案件编号：%(number)s）。本院将依法审查，并在规定期限内作出决定。")
                % {"applied": applied, "accepted": accepted, "number": case.number},
                _("审查期间，你的联系方式、家庭经济状况或者获得赔偿、救助的情况发生变化的，请及时告知本院。"), contact]
    opening = _("申请人%(name)s于%(applied)s向本院申请国家司法救助，本院于%(accepted)s受理后依法进行了审查。") % {
        "name": name, "applied": applied, "accepted": accepted}
    if kind == "grant_decision":
        method = {"lump_sum": _("一次性发放"), "instalments": _("分期发放")}.get(case.payment_method
                                                                        or ctx.get("payment_method", ""), "")
        return [opening, _("查明的事实和理由见上述汉文文本。"), _("本院认为，申请人符合国家司法救助条件。决定如下："),
                _("对申请人%(name)s给予国家司法救助，救助金额为%(amount)s，以%(method)s方式发放。")
                % {"name": name, "amount": format_amount(case.decided_amount), "method": method},
                _("同一案件的同一申请人只救助一次。以虚假材料骗取救助金的，本院将依法追回。")]
    return [opening, _("经审查，申请人不符合国家司法救助条件，决定对申请人%(name)s不予国家司法救助。理由见上述汉文文本。")
            % {"name": name}, _("如有疑问，可拨打12309或到本院咨询。")]


def append_tibetan(data: bytes, kind: str, case: Any, ctx: dict[str, Any]) -> bytes:
    """Return the rendered Chinese .docx DATA with the Tibetan translation appended on a new page."""
    doc = Document(io.BytesIO(data))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    with translation.override("bo"):
        _para(doc, str(ctx.get("org_name", "")), size=TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, first_line=False)
        _para(doc, titles()[kind], size=TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, first_line=False)
        _para(doc, _("（藏文译文）"), align=WD_ALIGN_PARAGRAPH.CENTER, first_line=False)
        if ctx.get("number"):
            _para(doc, _("文号：%(number)s") % {"number": ctx["number"]}, align=WD_ALIGN_PARAGRAPH.RIGHT,
                  first_line=False)
        for line in _lines(kind, case, ctx):
            _para(doc, line, first_line=not line.endswith(("：", "ལགས།")))
        _para(doc, "", first_line=False)
        _para(doc, str(ctx.get("org_name", "")), align=WD_ALIGN_PARAGRAPH.RIGHT, first_line=False)
        _para(doc, _day(ctx.get("date")), align=WD_ALIGN_PARAGRAPH.RIGHT, first_line=False)
        _para(doc, _("以上藏文为汉文的译文，以汉文为准。"), first_line=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
