"""Issue 13, "the paper trail": the 审批表 shows the route taken, the PDF faces are SC, service is one record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.events import ApprovalRouteCompleted
from jiuzhu.cases.models import ApprovalStep
from jiuzhu.demo.world import approver_for
from jiuzhu.documents import actions, pdf, queries, render
from jiuzhu.documents.models import IssuedDocument, Kind
from jiuzhu.documents.tests.conftest import AMOUNT, docx_of, handler
from jiuzhu.lib import clock
from jiuzhu.subscribers import SUBSCRIBERS

SHOTS = Path("/tmp/shots-pa")
MEETING = {"attendees": "检察长、副检察长、控告申诉检察部门负责人、承办检察官",
           "minutes": "经集体研究，同意给予救助。"}


def _route(world, case, *, meeting_day: dt.date, decided_on: dt.date) -> list[ApprovalStep]:
    """Take the three steps 部门负责人 → 分管副检察长 → 检察长办公会, each with its own comment."""
    code = case.handling_org.code
    comments = ["同意承办人意见，报分管副检察长。", "同意，提交检察长办公会研究。"]
    while True:
        step = case.approval_steps.get(status=ApprovalStep.Status.PENDING)
        user = approver_for(world.demo, code, step.role)
        if case.approval_steps.filter(opinion=step.opinion, seq__gt=step.seq).exists():
            case_actions.approve_step(case, acting_user=user, comment=comments.pop(0))
            continue
        case_actions.decide_grant(case, acting_user=user, amount=Decimal(AMOUNT), reasons="符合救助条件，决定救助。",
                                  on=decided_on, meeting={**MEETING, "meeting_date": meeting_day})
        return list(case.approval_steps.order_by("seq").select_related("actor"))


def _pdf_text_and_fonts(doc: IssuedDocument, name: str) -> tuple[str, list[str]]:
    doc = pdf.convert_now(doc.pk)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(render.read(doc.pdf))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SHOTS / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    faces = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    return text, faces


def _column(path: Path, left_mm: float, width_mm: float) -> str:
    """Return the text of PATH inside one vertical band (every page), in reading order."""
    pt = 72 / 25.4
    return subprocess.run(["pdftotext", "-r", "72", "-x", str(int(left_mm * pt) + 1), "-y", "0",
                           "-W", str(int(width_mm * pt) - 2), "-H", "842", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def _in_order(text: str, needles: list[str]) -> None:
    flat = "".join(text.split())
    at = 0
    for needle in needles:
        found = flat.find("".join(needle.split()), at)
        assert found >= 0, (needle, flat[at:at + 300])
        at = found + 1


def test_the_approval_form_carries_every_step_of_the_route_in_docx_and_pdf(world) -> None:
    case = world.to("pending_approval", amount=AMOUNT)
    h = handler(world)
    # Before the route ends the 审批表 is neither offered nor made.
    docs = queries.documents_for_case(case)
    assert Kind.APPROVAL_FORM not in dict(queries.issuable_kinds(case, h, docs))
    with pytest.raises(ValidationError, match="审批流程尚未完成"):
        actions.issue_document(case, Kind.APPROVAL_FORM, acting_user=h)
    today = clock.today()
    steps = _route(world, case, meeting_day=today, decided_on=today)
    assert [s.role for s in steps] == ["dept_head", "deputy_chief", "collective"]
    case.refresh_from_db()
    # Completing the route made it, once, by the one who took the last step.
    doc = IssuedDocument.objects.get(case=case, kind=Kind.APPROVAL_FORM)
    assert (doc.version, doc.status, doc.issued_by) == (1, IssuedDocument.Status.ISSUED, steps[-1].actor)
    # Made, it is not offered again (neither made nor re-made).
    docs = queries.documents_for_case(case)
    assert Kind.APPROVAL_FORM not in dict(queries.issuable_kinds(case, h, docs))
    assert queries.approval_form_offer(case, docs) is None

    def cn(day: dt.date) -> str:
        return f"{day.year}年{day.month}月{day.day}日"

    expected: list[str] = []
    for s in steps:
        day = today if s.role == "collective" else timezone.localdate(s.acted_at)
        expected += [s.label, s.comment, s.actor.full_name or s.actor.username, cn(day)]
    expected_meeting = [cn(today), MEETING["attendees"], MEETING["minutes"]]
    # The .docx: one table row per step, in order, role | opinion (+ meeting) | signer | date.
    table = docx_of(doc).tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[0] for r in rows] == ["部门负责人", "分管副检察长", "检察长办公会"]
    for row, s in zip(rows, steps, strict=True):
        assert s.comment in row[1] and row[2] == (s.actor.full_name or s.actor.username)
    assert all(m in rows[2][1] for m in expected_meeting)
    assert rows[2][3] == cn(today)
    # The date cell stays on one line (w:noWrap) in a column wide enough for it.
    assert all(r.cells[3]._tc.tcPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}noWrap")
               is not None for r in table.rows[1:])
    # The PDF: the same, in reading order, each date on one line.
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    text, faces = _pdf_text_and_fonts(doc, "approval_form")
    # Read each column of the route table on its own (left margin 28 mm; columns 32, 56, 22, 46 mm).
    role, opinion, signer, date = (_column(SHOTS / "approval_form.pdf", left, width)
                                   for left, width in ((28, 32), (60, 56), (116, 22), (138, 46)))
    _in_order(role, ["审批环节", "部门负责人", "分管副检察长", "检察长办公会"])
    _in_order(opinion, ["审批意见", steps[0].comment, steps[1].comment, steps[2].comment, *expected_meeting])
    _in_order(signer, ["签名", *[s.actor.full_name or s.actor.username for s in steps]])
    assert [line.replace(" ", "") for line in date.splitlines() if "年" in line] == [cn(d) for d in (
        timezone.localdate(steps[0].acted_at), timezone.localdate(steps[1].acted_at), today)]
    for s in steps:
        assert (s.actor.full_name or s.actor.username) in "".join(text.split())
    for line in text.splitlines():
        assert not line.rstrip().endswith(f"{today.year}年{today.month}月{today.day}"), line  # no "…3 / 日"
    assert cn(today) in text.replace(" ", "")
    _assert_sc_faces(faces)


def _assert_sc_faces(faces: list[str]) -> None:
    """Every face embedded is a Simplified Chinese one (Noto CJK SC, or AR PL UKai CN for 楷体), none JP."""
    assert faces, faces
    assert not [f for f in faces if any(x in f.lower() for x in ("cjkjp", "cjkkr", "cjktc", "cjkhk"))], faces
    assert all("CJKsc" in f or "UKai" in f for f in faces), faces
    assert any("NotoSerifCJKsc-Bold" in f for f in faces), faces  # 方正小标宋简体 → Noto Serif CJK SC Bold
    assert any("NotoSerifCJKsc-Regular" in f for f in faces), faces  # 仿宋_GB2312 → Noto Serif CJK SC


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_the_decision_pdf_is_set_in_the_sc_faces_and_the_fonts_are_shipped_with_jiuzhu(world) -> None:
    from jiuzhu.documents.tests.conftest import case_for

    case, extra = case_for(world, Kind.GRANT_DECISION)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)
    text, faces = _pdf_text_and_fonts(doc, "grant_decision")
    _assert_sc_faces(faces)
    assert "国家司法救助决定书" in text.replace(" ", "")
    # The aliases are a file of the repository, included by the conversion's fontconfig file.
    conf = pdf.FONTS_CONF.read_text(encoding="utf-8")
    for family in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"):
        assert f"<string>{family}</string>" in conf
    assert "CJK JP</string>" not in conf and "<string>Noto Serif CJK SC</string>" in conf
    xml = pdf.fontconfig_xml()
    assert f"<include>{pdf.FONTS_CONF}</include>" in xml and "<rejectfont>" in xml
    # The SC faces copied out of the collections answer to their SC names only.
    face = next(pdf.sc_faces_dir().glob("NotoSerifCJK-Regular-SC.otf"))
    names = subprocess.run(["fc-query", str(face), "-f", "%{postscriptname} %{family}"], capture_output=True,
                           text=True, check=True).stdout
    assert "NotoSerifCJKsc-Regular" in names and "Noto Serif CJK SC" in names


def test_a_form_made_before_the_route_ended_is_offered_for_remaking_as_version_2(world, client) -> None:
    case = world.to("pending_approval", amount=AMOUNT)
    h = handler(world)
    # A form made the old way (before the approvals: only the opinion on it).
    from jiuzhu.documents.context import kinds

    spec = kinds.SPECS[Kind.APPROVAL_FORM]
    kinds.SPECS[Kind.APPROVAL_FORM] = dataclasses.replace(spec, subject=kinds._subject_opinion)
    try:
        early = actions.issue_document(case, Kind.APPROVAL_FORM, acting_user=h)
    finally:
        kinds.SPECS[Kind.APPROVAL_FORM] = spec
    # What the case page offers for such a form once the route has completed, seen with the automatic
    # remaking held back (the table is the one dict the dispatcher reads).
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(SUBSCRIBERS, ApprovalRouteCompleted, [])
        _route(world, case, meeting_day=clock.today(), decided_on=clock.today())
    case.refresh_from_db()
    offer = queries.approval_form_offer(case, queries.documents_for_case(case))
    assert offer is not None and offer[0] == "remake" and offer[1].pk == early.pk
    client.force_login(h)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "重新制作审批表（第2版）" in html and f"/documents/cases/{case.pk}/issue/approval_form/" not in html
    form = client.get(f"/documents/{early.pk}/correct/?reason=route").content.decode()
    assert "按实际审批环节重新制作" in form
    new = actions.correct_document(early, acting_user=h, reason="审批流程已完成，按实际审批环节重新制作审批表。")
    assert new.version == 2
    rows = [[c.text for c in r.cells] for r in docx_of(new).tables[-1].rows[1:]]
    assert [r[0] for r in rows] == ["部门负责人", "分管副检察长", "检察长办公会"]
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "remake-approval-form" not in html and f"/documents/cases/{case.pk}/issue/approval_form/" not in html


# ---------------------------------------------------------------------------------------------
# Serving: one record, on the document; the case's 已送达 follows from it


def test_serving_the_decision_on_the_case_page_records_it_on_the_decision_document(world) -> None:
    from jiuzhu.cases.models import Status
    from jiuzhu.documents.models import ServiceRecord

    case = world.to("granted", amount=AMOUNT)
    h = handler(world)
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    case_actions.serve_decision(case, acting_user=h, method="proxy", recipient="次仁", relationship="丈夫")
    case.refresh_from_db()
    record = ServiceRecord.objects.get()
    assert case.status == Status.SERVED and record.document == decision and record.served_on == case.served_on
    assert (record.method, record.recipient, record.signer_name, record.signer_relationship) == (
        "proxy", case.applicant.name, "次仁", "丈夫")


def test_recording_the_decisions_service_on_the_document_serves_the_case_once(world) -> None:
    from jiuzhu.cases.models import CaseEvent, Status
    from jiuzhu.documents.models import ServiceRecord

    case = world.to("granted", amount=AMOUNT)
    h = handler(world)
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    actions.record_service(decision, acting_user=h, method="direct", served_on=clock.today(),
                           recipient=case.applicant.name)
    case.refresh_from_db()
    assert case.status == Status.SERVED and case.served_on == clock.today()
    assert ServiceRecord.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action="serve_decision").count() == 1


def test_a_proxy_service_without_the_signers_relationship_changes_nothing(world) -> None:
    from jiuzhu.cases.models import Status
    from jiuzhu.documents.models import ServiceRecord

    case = world.to("granted", amount=AMOUNT)
    h = handler(world)
    actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    with pytest.raises(ValidationError, match="代为签收"):
        case_actions.serve_decision(case, acting_user=h, method="proxy", recipient="次仁")
    case.refresh_from_db()
    assert case.status == Status.GRANTED and not ServiceRecord.objects.exists()


# ---------------------------------------------------------------------------------------------
# The facts of the decision and of the review report come from the review, not the clue


def test_the_decision_and_the_review_report_state_the_reviews_own_facts(world) -> None:
    from jiuzhu.demo.loader import GROUNDS_NONE
    from jiuzhu.documents.tests.conftest import text_of

    case = world.to("under_review")
    h = handler(world)
    clue = case.clue_summary.strip()
    assert clue
    case_actions.add_record(case, acting_user=h, kind="home_visit", held_on=clock.today(), place="加查县安绕镇",
                            participants="王明、村委会主任", content="申请人家中无固定收入，丈夫伤后卧床，两个孩子上学。")
    case_actions.add_record(case, acting_user=h, kind="investigation", held_on=clock.today(),
                            content="医院出具的费用清单载明医疗费38,000元。")
    calc = {"harm_yuan": Decimal("38000"), "family_monthly_income_yuan": Decimal("800"), "household_size": 4,
            "local_living_cost_yuan": Decimal("900"), "compensation_received_yuan": Decimal("0")}
    case_actions.submit_opinion(case, acting_user=h, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                                reasoning="建议救助。", proposed_amount=Decimal(AMOUNT), calculation=calc)
    _route(world, case, meeting_day=clock.today(), decided_on=clock.today())
    case.refresh_from_db()
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    report = actions.issue_document(case, Kind.REVIEW_REPORT, acting_user=h)
    dtext = text_of(docx_of(decision))
    facts = dtext.split("经审查查明：")[1].split("本院认为")[0]
    assert clue not in facts
    for needle in ("加查县安绕镇", "走访", "丈夫伤后卧床", "医疗费38,000元", "实际损害38,000.00元", "家庭人口4人",
                   "当地基本生活费用900.00元/人·月", "依据：《人民检察院开展国家司法救助工作细则》，救助金额以", "拟救助金额为人民币12,000.00元"):
        assert needle in facts, needle
    rtext = text_of(docx_of(report))
    harm = rtext.split("四、损害及生活困难情况")[1].split("五、救助情形审查")[0]
    assert clue not in harm
    for needle in ("加查县安绕镇", "丈夫伤后卧床", "医疗费38,000元", "实际损害38,000.00元", "家庭月收入800.00元"):
        assert needle in harm, needle
    amount = rtext.split("七、救助金额")[1].split("八、审查意见")[0]
    assert "计算依据：《人民检察院开展国家司法救助工作细则》，救助金额以" in amount and "12,000.00" in amount
    if shutil.which("soffice"):  # and so do the PDFs, in the SC faces
        for doc, name, needle in ((decision, "grant_decision_facts", "丈夫伤后卧床"),
                                  (report, "review_report_facts", "家庭月收入800.00元")):
            text, faces = _pdf_text_and_fonts(doc, name)
            assert needle in "".join(text.split()) and clue not in "".join(text.split())
            _assert_sc_faces(faces)
