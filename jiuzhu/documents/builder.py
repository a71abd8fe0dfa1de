"""The national default templates, built with python-docx (run `jiuzhu document_templates --export DIR`).

Layout after GB/T 9704-2012 (党政机关公文格式), as commonly applied: A4; margins top 37 mm,
bottom 35 mm, left 28 mm, right 26 mm; title 2号 (22 pt) 方正小标宋简体 centred; body 3号 (16 pt)
仿宋_GB2312 at a fixed 28.9 pt line pitch (22 lines a page), first lines indented two characters;
headings 黑体; the 文号 under the title; signature (procuratorate and date, Arabic numerals without
leading zeros) at the right, four characters in; page numbers 4号 in "— 1 —" at the foot.

Every run and style names its font for both Latin (w:ascii, w:hAnsi) and East Asian (w:eastAsia)
text: python-docx's `font.name` alone does not reach Chinese characters (stack-notes.md).
Placeholders are docxtpl's: `{{ field }}`, `{%p for … %}` paragraphs and `{%tr for … %}` rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from jiuzhu.documents.models import Kind

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
BODY = Pt(16)  # 3号
TITLE = Pt(22)  # 2号
TABLE = Pt(14)  # 4号
LINE = Pt(28.9)  # 22 lines in the 225 mm type area
INDENT = Pt(32)  # two characters of 3号


def set_fonts(rpr_parent: object, name: str) -> None:
    """Name font NAME for Latin, complex-script and East Asian text of a run or style (w:rFonts)."""
    rpr = rpr_parent.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _run(p: Paragraph, text: str, font: str = FANGSONG, size: Pt = BODY, bold: bool = False) -> None:
    r = p.add_run(text)
    r.font.name = font
    r.font.size = size
    r.font.bold = bold
    set_fonts(r._r, font)


def _page_field(p: Paragraph) -> None:
    """Append a PAGE field (begin, instruction, separate, "1", end), each run in 宋体 4号."""
    for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1"), ("end", "")):
        r = p.add_run(text if kind == "text" else "")
        r.font.size = Pt(14)
        set_fonts(r._r, SONGTI)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            r._r.append(el)
        elif kind != "text":
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            r._r.append(el)


def _fmt(p: Paragraph, *, align: int = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, line: Pt = LINE,
         right: int | None = None) -> Paragraph:
    f = p.paragraph_format
    f.alignment = align
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = line
    f.space_before = Pt(0)
    f.space_after = Pt(0)
    f.first_line_indent = INDENT if indent else Pt(0)
    if right is not None:
        f.right_indent = right
    return p


class Writer:
    """Adds GB/T 9704-style blocks to a python-docx document."""

    def __init__(self) -> None:
        self.doc: DocxDocument = Document()
        self._page()
        self._styles()

    def _page(self) -> None:
        s = self.doc.sections[0]
        s.start_type = WD_SECTION.NEW_PAGE
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin = Mm(37), Mm(35)
        s.left_margin, s.right_margin = Mm(28), Mm(26)
        s.header_distance, s.footer_distance = Mm(15), Mm(24)
        footer = _fmt(s.footer.paragraphs[0], align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(20))
        _run(footer, "— ", SONGTI, Pt(14))
        _page_field(footer)
        _run(footer, " —", SONGTI, Pt(14))

    def _styles(self) -> None:
        for style in self.doc.styles:
            if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
                set_fonts(style.element, FANGSONG)
        normal = self.doc.styles["Normal"]
        normal.font.name = FANGSONG
        normal.font.size = BODY
        set_fonts(normal.element, FANGSONG)
        # The document defaults too, so text outside any run property (fields, new runs typed in Word)
        # stays in 仿宋.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr_default = defaults.find(qn("w:rPrDefault"))
            if rpr_default is not None:
                rpr = rpr_default.find(qn("w:rPr"))
                if rpr is not None:
                    fonts = rpr.find(qn("w:rFonts"))
                    if fonts is None:
                        fonts = OxmlElement("w:rFonts")
                        rpr.insert(0, fonts)
                    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                        fonts.set(qn(attr), FANGSONG)
                    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                        fonts.attrib.pop(qn(attr), None)
        core = self.doc.core_properties
        core.author = "救助系统"
        core.title = ""
        core.comments = ""

    # Blocks -------------------------------------------------------------------------------------

    def header(self, *, numbered: bool) -> None:
        """Procuratorate and title in 小标宋, then the 文号 (or the case number) and an empty line."""
        for text in ("{{ org_name }}", "{{ title }}"):
            _run(_fmt(self.doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36)), text,
                 XIAOBIAOSONG, TITLE)
        p = _fmt(self.doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT)
        _run(p, "{{ number }}{{ correction_mark }}" if numbered else "案件编号：{{ case_number }}{{ correction_mark }}")
        self.blank()

    def blank(self) -> None:
        _run(_fmt(self.doc.add_paragraph()), "")

    def para(self, *parts: str | tuple[str, str], indent: bool = True,
             align: int = WD_ALIGN_PARAGRAPH.JUSTIFY, right: int | None = None) -> Paragraph:
        """A paragraph of body text; a part given as (text, font) gets that font (黑体 headings)."""
        p = _fmt(self.doc.add_paragraph(), align=align, indent=indent, right=right)
        for part in parts:
            text, font = part if isinstance(part, tuple) else (part, FANGSONG)
            _run(p, text, font)
        return p

    def heading(self, text: str) -> None:
        self.para((text, HEITI))

    def tag(self, text: str) -> None:
        """A docxtpl block tag ({%p … %}) alone in its paragraph; docxtpl removes the paragraph."""
        _run(_fmt(self.doc.add_paragraph()), text)

    def loop(self, var: str, items: str, text: str, indent: bool = True) -> None:
        self.tag(f"{{%p for {var} in {items} %}}")
        self.para(text, indent=indent)
        self.tag("{%p endfor %}")

    def when(self, condition: str, *parts: str | tuple[str, str]) -> None:
        self.tag(f"{{%p if {condition} %}}")
        self.para(*parts)
        self.tag("{%p endif %}")

    def signature(self, *, seal: bool = True) -> None:
        """The procuratorate and the date at the right, four characters in (GB/T 9704-2012 7.3.5)."""
        self.blank()
        self.blank()
        self.para("{{ org_name }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT * 2)
        self.para("{{ date }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT * 2)
        if seal:
            self.para("（院印）", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT * 2 + Pt(16))

    def correction(self) -> None:
        self.when("correction_note", "{{ correction_note }}")

    def _table(self, rows: int, cols: int, widths: list[int]) -> Table:
        t = self.doc.add_table(rows=rows, cols=cols)
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        # LibreOffice lays a table out by its grid (w:tblGrid), Word by the cells' widths: set both,
        # or a date column shrinks to an equal share and "2026年12月3日" wraps.
        for col, width in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(int(Mm(width).twips)))
        for row in t.rows:
            for i, cell in enumerate(row.cells):
                cell.width = Mm(widths[i])
        return t

    @staticmethod
    def _no_wrap(cell: object) -> None:
        """Keep a short cell (a date) on one line (w:noWrap)."""
        tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
        if tcpr.find(qn("w:noWrap")) is None:
            tcpr.append(OxmlElement("w:noWrap"))

    def _cell(self, cell: object, text: str, *, center: bool = False, bold: bool = False) -> None:
        p = cell.paragraphs[0]  # type: ignore[attr-defined]
        _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT, line=Pt(24))
        _run(p, text, HEITI if bold else FANGSONG, TABLE)

    def loop_table(self, headers: list[str], cells: list[str | list[str]], items: str, widths: list[int],
                   no_wrap: frozenset[int] = frozenset()) -> None:
        """A table with a header row and one row per item ({%tr for item in ITEMS %}); a cell given as a
        list of lines gets one paragraph per line; columns in NO_WRAP stay on one line."""
        t = self._table(4, len(headers), widths)
        for i, h in enumerate(headers):
            self._cell(t.rows[0].cells[i], h, center=True, bold=True)
        head = t.rows[0]._tr.get_or_add_trPr()  # the header row repeats on every page the table runs onto
        head.append(OxmlElement("w:cantSplit"))
        head.append(OxmlElement("w:tblHeader"))
        self._cell(t.rows[1].cells[0], f"{{%tr for item in {items} %}}")
        for i, c in enumerate(cells):
            lines = c if isinstance(c, list) else [c]
            cell = t.rows[2].cells[i]
            self._cell(cell, lines[0], center=i == 0 or i in no_wrap)
            for line in lines[1:]:
                _run(_fmt(cell.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT, line=Pt(24)), line, FANGSONG, TABLE)
            if i in no_wrap:
                self._no_wrap(cell)
        trpr = t.rows[2]._tr.get_or_add_trPr()  # a row is not split across pages
        trpr.append(OxmlElement("w:cantSplit"))
        self._cell(t.rows[3].cells[0], "{%tr endfor %}")

    def form_table(self, rows: list[tuple[str, str | list[str]]], widths: tuple[int, int] = (48, 108)) -> None:
        """A two-column form: label | value (a list of lines gives several paragraphs)."""
        t = self._table(len(rows), 2, list(widths))
        for row, (label, value) in zip(t.rows, rows, strict=True):
            self._cell(row.cells[0], label, center=True, bold=True)
            lines = value if isinstance(value, list) else [value]
            self._cell(row.cells[1], lines[0])
            for line in lines[1:]:
                p = _fmt(row.cells[1].add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT, line=Pt(24))
                _run(p, line, FANGSONG, TABLE)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


# ---------------------------------------------------------------------------------------------
# The eleven documents


def _notice(w: Writer) -> None:
    w.header(numbered=True)
    w.para("{{ notified_name }}：", indent=False)
    w.para("本院在办理{{ original_case_desc }}过程中，了解到你可能符合国家司法救助条件。根据"
           "《人民检察院开展国家司法救助工作细则》的规定，现将有关事项告知如下：")
    w.para("一、因案件遭受损害、生活困难，属于下列情形之一的，可以向本院申请国家司法救助：")
    w.loop("c", "categories", "{{ c }}")
    w.para("二、申请国家司法救助，一般应当提交书面申请；书写确有困难的，可以口头申请，由本院工作人员制作笔录。"
           "申请人可以委托代理人代为申请。")
    w.para("三、申请时应当提交下列材料：")
    w.loop("m", "materials_required", "{{ m }}")
    w.para("四、申请材料不齐全的，本院将告知需要补正的材料；申请人应当自收到补正通知之日起{{ supplement_days }}日内"
           "补正，无正当理由逾期未补正的，视为放弃申请。")
    w.para("五、国家司法救助以支付救助金为主要方式，同一案件的同一申请人只救助一次。")
    w.para("联系人：{{ handler_name }}　　联系电话：{{ contact_phone }}")
    w.para("告知方式：{{ manner }}")
    w.correction()
    w.signature()
    w.blank()
    w.para("被告知人（签名或捺印）：　　　　　　　　　　　年　　月　　日", indent=False)


def _oral_record(w: Writer) -> None:
    w.header(numbered=False)
    w.para(("时　　间：", HEITI), "{{ record_date }}", indent=False)
    w.para(("地　　点：", HEITI), "{{ record_place }}", indent=False)
    w.para(("记 录 人：", HEITI), "{{ recorder_name }}", indent=False)
    w.para(("申 请 人：", HEITI), "{{ applicant_identity }}", indent=False)
    w.para(("联系电话：", HEITI), "{{ applicant_phone }}", indent=False)
    w.para(("事　　由：", HEITI), "口头申请国家司法救助", indent=False)
    w.para(("申请人陈述：", HEITI), indent=False)
    w.loop("p", "statement_paragraphs", "{{ p }}")
    w.para(("提交材料：", HEITI), "{{ materials_text }}", indent=False)
    w.when("interpreter_text", "{{ interpreter_text }}。以上笔录已由翻译人员向申请人翻译宣读。")
    w.para("以上笔录已向申请人宣读（或者交申请人阅读），申请人确认与其陈述一致。")
    w.correction()
    w.blank()
    w.para("申请人（签名或捺印）：　　　　　　　　记录人（签名）：", indent=False)
    w.when("interpreter_text", "翻译人员（签名）：")
    w.para("年　　月　　日", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT * 2)


def _materials_list(w: Writer) -> None:
    w.header(numbered=False)
    w.para("申请人：{{ applicant_name }}　　　　案件编号：{{ case_number }}", indent=False)
    w.loop_table(["序号", "材料名称", "份数", "页数", "原件/复印件", "备注"],
                 ["{{ item.no }}", "{{ item.name }}", "{{ item.copies }}", "{{ item.pages }}", "{{ item.form }}",
                  "{{ item.note }}"], "items", [14, 62, 14, 14, 26, 26])
    w.para("以上材料已于{{ received_date }}收到。")
    w.para("经办人（签名）：{{ handler_name }}　　　　申请人（签名）：", indent=False)
    w.correction()
    w.signature()


def _supplement_notice(w: Writer) -> None:
    w.header(numbered=True)
    w.para("{{ applicant_name }}：", indent=False)
    w.para("你于{{ applied_date }}向本院提出国家司法救助申请。经审查，你提交的申请材料不齐全或者不符合要求，"
           "请补充提交下列材料：")
    w.loop("m", "missing_items", "{{ m }}")
    w.para("请你自收到本通知书之日起{{ supplement_days }}日内（{{ supplement_due }}前）向本院补充提交。"
           "无正当理由逾期未补充提交的，视为放弃救助申请。因客观原因确实无法取得有关证明材料的，可以向本院"
           "说明情况，申请本院调查核实。")
    w.para("联系人：{{ handler_name }}　　联系电话：{{ contact_phone }}")
    w.correction()
    w.signature()


def _acceptance_notice(w: Writer) -> None:
    w.header(numbered=True)
    w.para("{{ applicant_name }}：", indent=False)
    w.para("你于{{ applied_date }}向本院提出的国家司法救助申请，经审查，符合受理条件，本院已于{{ accepted_date }}"
           "决定受理（案件编号：{{ case_number }}）。本院将依法进行审查，并在规定期限内作出是否给予救助的决定，"
           "届时另行通知。")
    w.para("审查期间，你的联系方式、家庭经济状况或者获得赔偿、救助的情况发生变化的，请及时告知本院。")
    w.para("承办检察官：{{ handler_name }}　　联系电话：{{ contact_phone }}")
    w.correction()
    w.signature()


def _review_report(w: Writer) -> None:
    w.header(numbered=False)
    w.heading("一、案件来源及受理情况")
    w.para("{{ source_text }}")
    w.heading("二、申请人基本情况")
    w.para("申请人{{ applicant_identity }}。联系电话：{{ applicant_phone }}。")
    w.heading("三、原案件情况")
    w.para("{{ original_case_text }}")
    w.heading("四、损害及生活困难情况")
    w.loop("p", "harm_paragraphs", "{{ p }}")
    w.heading("五、救助情形审查")
    w.para("经审查，申请人的情形属于《人民检察院开展国家司法救助工作细则》第七条{{ category_text }}。")
    w.heading("六、不予救助情形逐项审查")
    w.loop_table(["序号", "《细则》第八条规定的情形", "结论", "审查说明"],
                 ["{{ item.no }}", "{{ item.ground }}", "{{ item.result }}", "{{ item.note }}"],
                 "checks", [14, 72, 24, 46])
    w.heading("七、救助金额")
    w.para("{{ amount_text }}")
    w.when("amount_basis", "计算依据：{{ amount_basis }}")
    w.heading("八、审查意见")
    w.para("{{ recommendation }}。")
    w.loop("p", "reasoning_paragraphs", "{{ p }}")
    w.correction()
    w.blank()
    w.para("承办检察官：{{ opinion_author }}　　　　{{ opinion_date }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    w.blank()
    w.para(("部门负责人意见：", HEITI), indent=False)
    w.blank()
    w.para("签名：　　　　　　　　年　　月　　日", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _approval_form(w: Writer) -> None:
    w.header(numbered=False)
    w.form_table([
        ("申请人", "{{ applicant_name }}"),
        ("性别", "{{ applicant_sex }}"),
        ("出生日期", "{{ applicant_birth }}"),
        ("身份证号码", "{{ applicant_id_number }}"),
        ("住址", "{{ applicant_address }}"),
        ("联系电话", "{{ applicant_phone }}"),
        ("案件名称及案号", "{{ original_case_desc }}"),
        ("简要案情", "{{ case_summary }}"),
        ("救助理由", ["{{ aid_reasons }}", "救助情形：《细则》第七条{{ category_text }}"]),
        ("拟救助金额", "{{ amount_text }}"),
        ("承办人意见", ["{{ recommendation }}。", "签名：{{ opinion_author }}　　{{ opinion_date }}"]),
    ])
    # Every step of the route actually taken, in order; a collective step with its meeting. The heading
    # keeps with the table (w:keepNext): never alone at the foot of a page with its table on the next.
    w.para(("审批意见", HEITI), indent=False, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.keep_with_next = True
    w.loop_table(["审批环节", "审批意见", "签名", "日期"],
                 ["{{ item.role }}", ["{{ item.opinion }}", "{{ item.meeting }}"], "{{ item.signer }}",
                  "{{ item.date }}"], "approval_steps", [32, 56, 22, 46], no_wrap=frozenset({3}))
    w.correction()


def _decision_opening(w: Writer) -> None:
    """The heading, the applicant and the procedure so far: the same in a grant and a refusal."""
    w.header(numbered=True)
    w.para("申请人{{ applicant_identity }}。", indent=False)
    w.para("申请人{{ applicant_name }}因{{ original_case_desc }}，于{{ applied_date }}向本院申请国家司法救助。"
           "本院于{{ accepted_date }}受理后，依法进行了审查。")


def _grant_decision(w: Writer) -> None:
    _decision_opening(w)
    w.para("经审查查明：")
    w.loop("p", "facts_paragraphs", "{{ p }}")
    w.para("本院认为，申请人的情形属于《人民检察院开展国家司法救助工作细则》第七条{{ category_text }}，"
           "且不具有该细则第八条规定的不予救助情形，符合国家司法救助条件。")
    w.loop("p", "reasons_paragraphs", "{{ p }}")
    w.para("依照《人民检察院开展国家司法救助工作细则》的有关规定，决定如下：")
    w.para("对申请人{{ applicant_name }}给予国家司法救助，救助金额为人民币{{ amount }}（大写：{{ amount_upper }}），"
           "以{{ payment_method_text }}方式发放。")
    w.when("joint_aid_text", "{{ joint_aid_text }}")
    w.para("同一案件的同一申请人只救助一次。申请人以虚假材料骗取救助金的，本院将依法追回。本决定书随案移送。")
    w.correction()
    w.signature()


def _refusal_decision(w: Writer) -> None:
    _decision_opening(w)
    w.para("经审查：")
    w.loop("g", "grounds", "{{ g }}")
    w.loop("p", "reasons_paragraphs", "{{ p }}")
    w.para("依照《人民检察院开展国家司法救助工作细则》的有关规定，决定对申请人{{ applicant_name }}不予国家司法救助。")
    w.para("{{ other_help }}")
    w.correction()
    w.signature()


def _service_receipt(w: Writer) -> None:
    w.header(numbered=False)
    w.form_table([
        ("送达文书名称", "{{ served_title }}"),
        ("文号", "{{ served_number }}"),
        ("受送达人", "{{ recipient }}"),
        ("送达地点", "{{ service_place }}"),
        ("送达方式", "{{ service_method }}"),
        ("受送达人签名或盖章", ["", "{{ served_date }}"]),
        ("代收人及与受送达人关系", "{{ signer_text }}"),
        ("代收人身份证号码", "{{ signer_id_number }}"),
        ("送达人", "{{ server_name }}"),
        ("备注", "{{ service_note }}"),
    ])
    w.when("interpreter_text", "{{ interpreter_text }}　　翻译人员（签名）：")
    w.correction()
    w.signature()


def _payment_receipt(w: Writer) -> None:
    w.header(numbered=False)
    w.para("今领到{{ org_name }}发放的国家司法救助金人民币{{ payment_amount }}（大写：{{ payment_amount_upper }}）。")
    w.form_table([
        ("领取人", "{{ payee_name }}"),
        ("身份证号码", "{{ payee_id_number }}"),
        ("救助决定书文号", "{{ decision_number }}"),
        ("决定救助金额", "{{ amount }}（大写：{{ amount_upper }}）"),
        ("本次领取", "第{{ instalment }}期　{{ payment_amount }}（大写：{{ payment_amount_upper }}）"),
        ("发放方式", "{{ payment_method_text }}"),
        ("开户银行及账号", "{{ bank_name }}　{{ bank_account }}"),
        ("发放日期", "{{ paid_date }}"),
        ("经办人", "{{ handler_name }}"),
        ("领取人签名（捺印）", ["", "　　年　　月　　日"]),
    ])
    w.correction()
    w.signature()


def _entrustment_agreement(w: Writer) -> None:
    w.header(numbered=False)
    w.para("为保障国家司法救助金专款专用、用于受助人的生活和成长，根据一案一委托的原则，委托人、受托人与"
           "{{ org_name }}（监督人）就受助人{{ applicant_name }}（救助案件编号{{ case_number }}）的救助金代管事宜订立本协议。")
    w.form_table([
        ("委托人（监护人）", "{{ guardian_name }}"),
        ("受托人（代管机构）", "{{ custodian_name }}（{{ custodian_kind }}）"),
        ("代管账户", "{{ custodian_bank }}　{{ custodian_account }}"),
        ("救助决定书文号", "{{ decision_number }}"),
        ("代管金额", "{{ custody_amount }}（大写：{{ custody_amount_upper }}）"),
        ("代管期限", "{{ signed_date }}至{{ ends_date }}"),
    ])
    w.para("一、资金用途：{{ purposes }}")
    w.para("二、支取计划：{{ release_schedule }}")
    w.para("三、每次支取由受托人或承办检察官提出，写明用途并附凭证，经承办检察官和受托人双方同意后由受托人支付；"
           "受托人逐笔登记代管台账，并每半年向{{ org_name }}报告代管资金使用情况。")
    w.para("四、暂停或变更支取的情形：{{ suspend_conditions }}")
    w.para("五、代管资金余额不足时不得支取；代管期满余额按约定支付给受助人本人。")
    w.form_table([
        ("委托人签名", ["", "　　年　　月　　日"]),
        ("受托人（盖章）", ["", "　　年　　月　　日"]),
    ])
    w.correction()
    w.signature()


def _referral_letter(w: Writer) -> None:
    w.header(numbered=True)
    w.para("{{ agency_name }}：", indent=False)
    w.para("本院在办理国家司法救助案件（案件编号：{{ case_number }}）中发现，下列人员生活困难，除司法救助外仍需"
           "其他帮扶。根据{{ referral_basis }}，现将有关情况移送你单位，请依职能协助落实以下帮扶事项：")
    w.loop("m", "referral_measures", "{{ m }}")
    w.para("一、人员情况（仅提供办理所需信息）")
    w.loop("s", "referral_shared", "{{ s }}")
    w.para("二、需要说明的情况：{{ referral_situation }}")
    w.para("请于{{ referral_due }}前将接收及采纳情况反馈本院，并在落实后告知所采取的措施及日期。可通过本院提供的"
           "反馈链接或书面回复。以上个人信息仅用于本次帮扶，请妥善保管，不得用于其他用途。")
    w.para("联系人：{{ handler_name }}　　联系电话：{{ contact_phone }}")
    w.correction()
    w.signature()


BUILDERS: dict[str, Callable[[Writer], None]] = {
    Kind.NOTICE: _notice,
    Kind.ORAL_RECORD: _oral_record,
    Kind.MATERIALS_LIST: _materials_list,
    Kind.SUPPLEMENT_NOTICE: _supplement_notice,
    Kind.ACCEPTANCE_NOTICE: _acceptance_notice,
    Kind.REVIEW_REPORT: _review_report,
    Kind.APPROVAL_FORM: _approval_form,
    Kind.GRANT_DECISION: _grant_decision,
    Kind.REFUSAL_DECISION: _refusal_decision,
    Kind.SERVICE_RECEIPT: _service_receipt,
    Kind.PAYMENT_RECEIPT: _payment_receipt,
    Kind.ENTRUSTMENT_AGREEMENT: _entrustment_agreement,
    Kind.REFERRAL_LETTER: _referral_letter,
}


def build_default_template(kind: str) -> bytes:
    """Return the national default .docx template of KIND."""
    w = Writer()
    BUILDERS[kind](w)
    return w.save()
