"""Issue 13, what the papers print: the 审批表's heading stays with its table; approvers' papers print the
ID number and phone masked, a referral letter never a minor's name; the decision's 依据 prints the legal
basis and the figures, never an administrator's note on the wage base."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from jiuzhu.cases import actions as case_actions
from jiuzhu.demo.loader import GROUNDS_NONE
from jiuzhu.documents import actions, pdf, render
from jiuzhu.documents.models import IssuedDocument, Kind
from jiuzhu.documents.tests.conftest import AMOUNT, docx_of, handler, issued, text_of
from jiuzhu.documents.tests.test_paper_trail import _route
from jiuzhu.lib import clock
from jiuzhu.people import idcard
from jiuzhu.rules.models import WageBase

SHOTS = Path("/tmp/shots-paper")
needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")


def _pdf_pages(doc: IssuedDocument, name: str) -> list[str]:
    """Convert DOC to PDF (kept, with a PNG per page, under SHOTS) and return each page's text, spaces removed."""
    doc = pdf.convert_now(doc.pk)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(render.read(doc.pdf))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SHOTS / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


def _approved(world, *, reasoning: str = "建议救助。", calculation: dict | None = None):  # type: ignore[no-untyped-def]
    """A case through the three-step route (部门负责人 → 分管副检察长 → 检察长办公会), decided today."""
    h = handler(world)
    case = world.to("under_review")
    case_actions.submit_opinion(case, acting_user=h, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                                reasoning=reasoning, proposed_amount=Decimal(AMOUNT), calculation=calculation or {})
    _route(world, case, meeting_day=clock.today(), decided_on=clock.today())
    case.refresh_from_db()
    return case


@needs_soffice
def test_the_approval_forms_heading_stays_on_the_page_of_its_first_step_and_the_numbers_are_masked(world) -> None:
    # The default case's form is as long as the one seen in the issue: the heading "审批意见" fell to the foot
    # of page 1 and the route table (its column "审批意见" included) began on page 2.
    case = _approved(world)
    doc = issued(case, Kind.APPROVAL_FORM, handler(world))
    heading = next(p for p in docx_of(doc).paragraphs if p.text == "审批意见")
    assert heading.paragraph_format.keep_with_next is True
    pages = _pdf_pages(doc, "approval_form")
    first_step = next(i for i, page in enumerate(pages) if "部门负责人" in page)
    # On that page: the heading and the table's column of the same name, so twice.
    assert pages[first_step].count("审批意见") == 2, [p.count("审批意见") for p in pages]
    assert all("审批意见" not in page for page in pages[:first_step]), first_step
    # Approvers see who the applicant is, not the full numbers (as on screen).
    a = case.applicant
    full_id, phone = str(a.id_number), str(a.phone)
    text = text_of(docx_of(doc))
    assert full_id not in text and phone not in text
    assert idcard.mask_id_number(full_id) in text and idcard.mask_phone(phone) in text and a.name in text
    flat = "".join(pages)
    assert full_id not in flat and phone not in flat
    assert idcard.mask_id_number(full_id) in flat and idcard.mask_phone(phone) in flat


@needs_soffice
def test_the_review_report_prints_the_numbers_masked_and_the_decision_prints_the_full_id_number(world) -> None:
    case = _approved(world)
    h = handler(world)
    a = case.applicant
    full_id, phone = str(a.id_number), str(a.phone)
    report = actions.issue_document(case, Kind.REVIEW_REPORT, acting_user=h)
    text = text_of(docx_of(report))
    identity = text.split("二、申请人基本情况")[1].split("三、原案件情况")[0]
    assert full_id not in text and phone not in text
    assert f"身份证号码{idcard.mask_id_number(full_id)}" in identity and idcard.mask_phone(phone) in identity
    assert a.name in identity and str(a.address) in identity
    flat = "".join(_pdf_pages(report, "review_report"))
    assert full_id not in flat and phone not in flat and idcard.mask_id_number(full_id) in flat
    # The decision is served on the applicant and travels with the case file to any other organ, where
    # duplicate aid is checked by the ID number (domain.md §6 step 9, §14): it names her in full.
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    assert f"身份证号码{full_id}" in text_of(docx_of(decision))
    assert phone not in text_of(docx_of(decision))
    # The database keeps every document's fields masked either way.
    for doc in (report, decision):
        doc.refresh_from_db()
        assert full_id not in str(doc.context) and phone not in str(doc.context)


def test_a_referral_letter_names_a_minor_applicant_only_masked(world) -> None:
    from jiuzhu.support.actions import send_referral
    from jiuzhu.support.models import PartnerAgency

    h = handler(world)
    case = world.to("paid", amount=AMOUNT, person=world.person("540528", age=14))
    a = case.applicant
    assert a.is_minor
    agency = PartnerAgency.objects.create(org=case.handling_org, kind="education", name="加查县教育局")
    referral, _ = send_referral(case, acting_user=h, agency=agency, measures=["schooling"], situation="面临辍学。",
                                basis="consent", basis_note="监护人书面同意", shared_fields=["name", "address", "phone"])
    letter = actions.issue_document(case, Kind.REFERRAL_LETTER, acting_user=h, extra={"referral": referral.pk})
    text = text_of(docx_of(letter))
    assert a.name not in text and idcard.mask_name(a.name) in text
    assert str(a.id_number) not in text
    # A template may use the common fields: for a letter that leaves the file they are masked too.
    from jiuzhu.documents.context import kinds

    ctx = kinds.build_context(case, Kind.REFERRAL_LETTER, subject=letter.subject, extra={"referral": referral.pk},
                              org=case.handling_org, number="", version=1, issued_on=clock.today())
    assert ctx["applicant_name"] == idcard.mask_name(a.name)
    assert a.name not in ctx["applicant_identity"] and str(a.id_number) not in ctx["applicant_identity"]
    assert ctx["applicant_id_number"] == idcard.mask_id_number(str(a.id_number))
    assert ctx["applicant_address"] == idcard.mask_address(str(a.address))


def test_the_decisions_basis_prints_the_figures_and_never_the_wage_bases_admin_note(world) -> None:
    base = WageBase.objects.get(province_code="540000", year=clock.today().year - 1)
    WageBase.objects.filter(pk=base.pk).update(is_illustrative=True, note="待与统计公报核对（管理员备注）")
    calc = {"harm_yuan": Decimal("38000"), "family_monthly_income_yuan": Decimal("800"), "household_size": 4,
            "local_living_cost_yuan": Decimal("900"), "compensation_received_yuan": Decimal("0")}
    case = _approved(world, calculation=calc)
    h = handler(world)
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    report = actions.issue_document(case, Kind.REVIEW_REPORT, acting_user=h)
    monthly = f"{base.monthly_amount:,.2f}元"
    cap = f"{base.monthly_amount * 36:,.2f}元"
    for doc in (decision, report):
        text = text_of(docx_of(doc))
        for note in ("示例数据", "待管理员核实", "管理员备注", "待与统计公报核对", "审批："):
            assert note not in text, (doc.kind, note)
        basis = next(line for line in text.splitlines() if "职工月平均工资" in line)
        assert "《人民检察院开展国家司法救助工作细则》" in basis
        assert f"{base.year}年职工月平均工资{monthly}为基数" in basis and "36个月" in basis and cap in basis, basis
    facts = text_of(docx_of(decision)).split("经审查查明：")[1].split("本院认为")[0]
    assert "拟救助金额为人民币12,000.00元" in facts and "当地基本生活费用900.00元/人·月" in facts
