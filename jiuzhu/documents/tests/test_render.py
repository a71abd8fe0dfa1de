"""Every kind renders from its default template with the case's fields and East Asian fonts set."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from docxtpl import DocxTemplate

from jiuzhu.documents import actions, builder
from jiuzhu.documents.context import FIELDS, template_policy
from jiuzhu.documents.models import NUMBERED_KINDS, IssuedDocument, Kind
from jiuzhu.documents.money import rmb_upper, yuan
from jiuzhu.documents.tests.conftest import (
    MISSING,
    case_for,
    docx_of,
    handler,
    issued,
    runs_without_east_asian_font,
    text_of,
)

MONEY_KINDS = {Kind.REVIEW_REPORT, Kind.APPROVAL_FORM, Kind.GRANT_DECISION, Kind.PAYMENT_RECEIPT,
               Kind.ENTRUSTMENT_AGREEMENT}


@pytest.mark.parametrize("kind", Kind.values)
def test_it_renders_every_kind_with_the_cases_fields_and_east_asian_fonts(world, kind) -> None:
    case, extra = case_for(world, kind)
    doc = issued(case, kind, handler(world), extra)
    d = docx_of(doc)
    text = text_of(d)
    assert case.handling_org.name in text
    assert case.applicant.name in text
    if kind in NUMBERED_KINDS:
        assert doc.number.startswith("加检控") and doc.number.endswith(f"〔{doc.issued_at.year}〕1号")
        assert doc.number in text
    else:
        assert doc.number == "" and case.number in text
    if kind in MONEY_KINDS:
        assert "12,000.00元" in text and "壹万贰仟元整" in text
    assert "{{" not in text and "{%" not in text
    assert runs_without_east_asian_font(d) == []
    assert IssuedDocument.objects.get(pk=doc.pk).docx_sha256 == doc.docx_sha256
    # The template allow-list of the kind (documents.sandbox) is exactly what the kind is filled with.
    assert set(doc.context) == template_policy(kind).fields


def test_it_fills_the_kind_specific_fields(world) -> None:
    case, _ = case_for(world, Kind.SUPPLEMENT_NOTICE)
    text = text_of(docx_of(actions.issue_document(case, Kind.SUPPLEMENT_NOTICE, acting_user=handler(world))))
    for line in MISSING.splitlines():
        assert line in text
    assert "30日内" in text and "视为放弃" in text

    refusal, _ = case_for(world, Kind.REFUSAL_DECISION)
    text = text_of(docx_of(actions.issue_document(refusal, Kind.REFUSAL_DECISION, acting_user=handler(world))))
    assert "第八条第（五）项" in text and "第八条第（六）项" in text
    assert "其家庭已纳入低保。" in text and "12309" in text and "不予国家司法救助" in text

    granted, extra = case_for(world, Kind.GRANT_DECISION)
    text = text_of(docx_of(actions.issue_document(granted, Kind.GRANT_DECISION, acting_user=handler(world),
                                                  extra=extra)))
    assert "以一次性发放方式发放" in text and "本案系联合救助" in text and "第七条第（一）项" in text


def test_it_leaves_the_joint_aid_sentence_out_when_there_is_none(world) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    text = text_of(docx_of(actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))))
    assert "联合救助" not in text


def test_it_lays_out_the_templates_after_gbt_9704() -> None:
    d: Any = Document(io.BytesIO(builder.build_default_template(Kind.GRANT_DECISION)))
    s = d.sections[0]
    mm = [round(x.mm, 1) for x in (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin,
                                   s.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]
    title = d.paragraphs[1]
    assert title.runs[0].font.size.pt == 22 and title.alignment == 1  # centred
    assert title.runs[0]._r.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "方正小标宋简体"
    body = next(p for p in d.paragraphs if "本院认为" in p.text)
    assert body.runs[0].font.size.pt == 16 and body.paragraph_format.line_spacing.pt == pytest.approx(28.9, abs=0.1)
    assert body.runs[0]._r.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    assert "PAGE" in s.footer._element.xml


@pytest.mark.parametrize("kind", Kind.values)
def test_it_uses_only_placeholders_the_system_fills(kind) -> None:
    names = DocxTemplate(io.BytesIO(builder.build_default_template(kind))).get_undeclared_template_variables()
    assert names and names <= set(FIELDS)


@pytest.mark.parametrize(("amount", "upper"), [
    ("12000", "壹万贰仟元整"), ("10500.50", "壹万零伍佰元伍角整"), ("100000", "壹拾万元整"),
    ("1001.01", "壹仟零壹元零壹分"), ("100010", "壹拾万零壹拾元整"), ("0.05", "伍分"),
    ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"), ("100000001", "壹亿零壹元整"),
])
def test_it_writes_amounts_in_chinese_capitals(amount, upper) -> None:
    assert rmb_upper(Decimal(amount)) == upper


def test_it_writes_amounts_in_figures_with_thousands_separators() -> None:
    assert yuan(Decimal("12000")) == "12,000.00元" and yuan(Decimal("533000.5")) == "533,000.50元"
