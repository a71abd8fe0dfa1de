"""Issue 13, "Done when": one browser walk from first contact to archive, twice, with the demo accounts.

1. A walk-in applicant at 加查县: 来访申请 (one step) → 受理 → review with the calculator → 部门负责人 → 分管副检察长
   → 检察长办公会 → decision → serve → finance pays → referral to 民政局 answered through the partner link on a
   phone → visit → close (the checklist) → archive (only once the dossier is clean).
2. A mother applies online on a 360-px phone for her 14-year-old son; staff register it from the intake queue and
   carry it to archive the same way.

At each step the test asserts what the person sees. The issued files are opened: the 审批表 (.docx through
python-docx and its PDF through pdftotext) lists every step with signer and opinion; the 决定书 states the amount and
the review's facts; pdffonts lists only the SC faces. Screenshots go to the test's tmp dir (and /work/wt/walk/shots/
when that folder exists).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import Browser, Page, expect

from jiuzhu.cases.models import AidCase, ApprovalStep, Status
from jiuzhu.documents import pdf, render
from jiuzhu.documents.models import IssuedDocument, Kind
from jiuzhu.documents.tests.test_paper_trail import _column, _in_order
from jiuzhu.lib import clock
from jiuzhu.people.idcard import check_digit
from jiuzhu.portal.tests.helpers import PDF, PNG, last_code
from jiuzhu.support.models import AgencyKind, Referral
from jiuzhu.support.tests.helpers import agency
from jiuzhu.testing import browser_login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}
PHONE = {"locale": "zh-CN", "viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}
COPY_TO = Path("/work/wt/walk/shots")
SC_FACES = ("NotoSerifCJKsc", "NotoSansCJKsc")
MEETING = ("检察长、副检察长、第十检察部主任、承办检察官", "会议听取承办人汇报，同意救助。")
COMMENTS = ("同意承办人意见，报分管副检察长。", "同意，提请检察长办公会研究。")
HOME_VISIT = "入户走访：申请人家中房屋简陋，丈夫因伤丧失劳动能力，家庭无稳定收入。"


def _id_number(region: str, born: str, seq: str) -> str:
    first17 = region + born + seq
    return first17 + check_digit(first17)


@dataclass
class Walk:
    """One case path: the browser pages, the screenshots, and what the test learns on the way."""

    browser: Browser
    base: str
    world: Any
    folder: Path
    page: Page = field(init=False)
    count: int = 0
    case_url: str = ""

    def __post_init__(self) -> None:
        self.page = self.browser.new_context(**DESKTOP).new_page()

    def shot(self, name: str, page: Page | None = None) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        (page or self.page).screenshot(path=path, full_page=True)
        if COPY_TO.is_dir():
            target = COPY_TO / self.folder.name
            target.mkdir(exist_ok=True)
            shutil.copy(path, target / path.name)

    def user(self, role: str) -> Any:
        return self.world.user("540528", role)

    def login(self, role: str) -> None:
        if self.page.get_by_role("button", name="退出", exact=True).count():
            self.page.get_by_role("button", name="退出", exact=True).click()
            self.page.wait_for_load_state()
        browser_login(self.page, self.base, self.user(role))
        if self.case_url:
            self.page.goto(self.case_url)

    @property
    def case(self) -> AidCase:
        return AidCase.objects.get(pk=int(self.case_url.rstrip("/").split("/")[-1]))

    def status(self, status: Status) -> None:
        expect(self.page.locator("#case-status")).to_have_text(status.label)

    def act(self, label: str, fill: Any = None) -> None:
        """The case page's button LABEL, its form, 确认, back on the case page with the success message."""
        page = self.page
        page.locator("#next-actions").get_by_role("link", name=label, exact=True).click()
        expect(page.locator("h1")).to_contain_text(label)
        if fill is not None:
            fill()
        page.get_by_role("button", name=f"确认{label}", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text(f"已完成：{label}")

    def issue(self, kind: str, label: str) -> IssuedDocument:
        """制作 a document from the case page's 法律文书 card."""
        page = self.page
        page.locator("#documents").get_by_role("link", name=label, exact=True).click()
        page.get_by_role("button", name="确认制作").click()
        expect(page.locator(".alert-success")).to_contain_text("已制作")
        doc = IssuedDocument.objects.get(case=self.case, kind=kind, status=IssuedDocument.Status.ISSUED)
        expect(self.row(doc)).to_contain_text("未送达")
        return doc

    def row(self, doc: IssuedDocument) -> Any:
        return self.page.locator(f"#document-{doc.pk}")

    def serve(self, doc: IssuedDocument, recipient: str) -> None:
        """登记送达 on the document's row of the 文书 table: the row then reads 已送达."""
        page = self.page
        self.row(doc).get_by_role("link", name="登记送达").click()
        page.select_option("#id_method", "direct")
        page.fill("#id_served_on", clock.today().isoformat())
        page.fill("#id_recipient", recipient)
        page.get_by_role("button", name="登记送达", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text("的送达")
        expect(self.row(doc)).to_contain_text("已送达")
        expect(self.row(doc)).not_to_contain_text("未送达")


# ---------------------------------------------------------------------------------------------
# The issued files


def _pdf_of(walk: Walk, doc: IssuedDocument, name: str) -> tuple[str, list[str]]:
    """Convert DOC as the worker does; save it and its pages (PNG, 60 dpi) with the shots; return text and fonts."""
    doc = pdf.convert_now(doc.pk)
    path = walk.folder / f"{name}.pdf"
    path.write_bytes(render.read(doc.pdf))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(walk.folder / name)], check=True)
    if COPY_TO.is_dir():
        for page in walk.folder.glob(f"{name}*"):
            shutil.copy(page, COPY_TO / walk.folder.name / page.name)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    faces = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    return "".join(text.split()), faces


def _assert_sc(faces: list[str]) -> None:
    assert faces, "no fonts embedded"
    for face in faces:
        assert face.split("+")[-1].startswith(SC_FACES), faces  # never the JP faces


def check_approval_form(walk: Walk) -> None:
    """The 审批表 made when the route completed: every step, in order, with role, opinion and signer."""
    case = walk.case
    steps = list(case.approval_steps.order_by("seq").select_related("actor"))
    assert [s.label for s in steps] == ["部门负责人", "分管副检察长", "检察长办公会"]
    assert all(s.status == ApprovalStep.Status.APPROVED for s in steps)
    [form] = IssuedDocument.objects.filter(case=case, kind=Kind.APPROVAL_FORM)
    table = Document(io.BytesIO(render.read(form.docx))).tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[0] for r in rows] == [s.label for s in steps]
    for row, s in zip(rows, steps, strict=True):
        assert s.comment in row[1] and row[2] == s.actor.full_name, (row, s.comment)
    assert all(m in rows[2][1] for m in MEETING)
    text, faces = _pdf_of(walk, form, "approval-form")
    # Each column of the route table read on its own (left margin 28 mm; columns 32, 56, 22, 46 mm): every
    # step's role, opinion and signer, in order.
    path = walk.folder / "approval-form.pdf"
    role, opinion, signer = (_column(path, left, width) for left, width in ((28, 32), (60, 56), (116, 22)))
    _in_order(role, ["审批环节", *[s.label for s in steps]])
    _in_order(opinion, ["审批意见", *[s.comment for s in steps], *MEETING])
    _in_order(signer, ["签名", *[s.actor.full_name for s in steps]])
    assert all(s.actor.full_name in text for s in steps)
    _assert_sc(faces)


def check_decision(walk: Walk, doc: IssuedDocument, amount: str) -> None:
    """The 决定书 states the amount and the review's own facts (the home visit), not the intake text."""
    body = "".join(p.text for p in Document(io.BytesIO(render.read(doc.docx))).paragraphs)
    assert amount in body and "经审查查明" in body
    assert "入户走访" in body or "丧失劳动能力" in body, body[:600]
    text, faces = _pdf_of(walk, doc, "decision")
    assert amount in text and "经审查查明" in text
    _assert_sc(faces)


# ---------------------------------------------------------------------------------------------
# The steps both paths share, from 受理 to the archive


def review(walk: Walk, amount: str) -> None:
    """受理 (its notice made), the review: a home visit, the calculator, the opinion."""
    page, today = walk.page, clock.today().isoformat()
    walk.act("开始审查")
    walk.status(Status.UNDER_REVIEW)

    def home_visit() -> None:
        page.select_option("#id_kind", "home_visit")
        page.fill("#id_held_on", today)
        page.fill("#id_place", "申请人家中")
        page.fill("#id_participants", "控申检察官、村委会主任")
        page.fill("#id_content", HOME_VISIT)

    walk.act("录入笔录/走访记录", home_visit)
    expect(page.locator("#records")).to_contain_text("走访记录")
    page.locator("#next-actions").get_by_role("link", name="提交审查意见", exact=True).click()
    page.fill("#id_proposed_amount", amount)
    page.fill("#id_harm_yuan", "30000")
    page.fill("#id_fault_percent", "0")
    page.fill("#id_family_monthly_income_yuan", "800")
    page.fill("#id_household_size", "4")
    page.fill("#id_local_living_cost_yuan", "1000")
    page.fill("#id_compensation_received_yuan", "0")
    page.get_by_role("button", name="测算").click()
    calculation = page.locator("#calculation")
    expect(calculation.locator("li").first).to_be_visible()
    expect(calculation).to_contain_text("当地基本生活费用")
    expect(page.locator("#id_harm_yuan")).to_have_value(re.compile(r"^30000"))  # the input is kept
    walk.shot("calculator")
    page.select_option("#id_category", "E1")
    for n in range(1, 7):
        page.check(f"input[name=X{n}_present][value=no]")
    page.check("input[name=recommendation][value=grant]")
    page.fill("#id_reasoning", f"申请人因案致伤、家庭生活困难，符合救助条件，建议救助{amount}元。")
    page.get_by_role("button", name="确认提交审查意见", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已完成：提交审查意见")
    walk.status(Status.PENDING_APPROVAL)
    walk.shot("pending-approval")


def approve(walk: Walk, amount: str) -> None:
    """部门负责人 → 分管副检察长 → 检察长办公会 (the chief records the meeting and decides)."""
    page, today = walk.page, clock.today().isoformat()
    for role, comment in zip(("dept_head", "deputy_chief"), COMMENTS, strict=True):
        walk.login(role)
        expect(page.locator("#next-actions")).not_to_contain_text("决定救助")
        walk.act("同意（报下一环节）", lambda c=comment: page.fill("#id_comment", c))
        walk.status(Status.PENDING_APPROVAL)
        expect(page.locator("#documents")).not_to_contain_text("审批表")  # nothing made while the route is open
    walk.shot("approvals-so-far")
    walk.login("chief")

    def grant() -> None:
        expect(page.locator("#approval-summary")).to_contain_text("检察长办公会")
        page.fill("#id_amount", amount)
        page.fill("#id_reasons", "经检察长办公会研究，同意给予国家司法救助。")
        page.fill("#id_meeting_date", today)
        page.fill("#id_attendees", MEETING[0])
        page.fill("#id_minutes", MEETING[1])
        walk.shot("grant-form")

    walk.act("决定救助", grant)
    walk.status(Status.GRANTED)
    expect(page.locator("#decision")).to_contain_text(f"{int(amount):,}.00")
    # The route has completed: the 审批表 was made with it, once, and is not offered again.
    form = IssuedDocument.objects.get(case=walk.case, kind=Kind.APPROVAL_FORM)
    expect(walk.row(form)).to_contain_text("审批表")
    expect(page.locator("#documents").get_by_role("link", name="制作审批表", exact=True)).to_have_count(0)
    walk.shot("granted-approval-form-made")
    check_approval_form(walk)


def serve_and_pay(walk: Walk, amount: str, name: str) -> None:
    page, today = walk.page, clock.today().isoformat()
    walk.login("kongshen")
    decision = walk.issue(Kind.GRANT_DECISION, "国家司法救助决定书")
    check_decision(walk, decision, f"{int(amount):,}.00")

    def serve() -> None:
        expect(page.locator("#id_recipient")).to_have_value(name)
        page.select_option("#id_method", "direct")

    walk.act("送达决定书", serve)
    walk.status(Status.SERVED)
    expect(walk.row(decision)).to_contain_text("已送达")  # one record of serving, on the document
    expect(walk.row(decision)).not_to_contain_text("未送达")
    walk.shot("decision-served")
    walk.world.ensure_cash(walk.case)  # finance allocated the year's budget
    walk.act("登记资金到位")
    walk.status(Status.AWAITING_PAYMENT)
    page.fill("#id_plan", f"{amount} {today}")
    page.fill("#id_payee_name", name)
    page.fill("#id_bank_name", "中国农业银行加查县支行")
    page.fill("#id_account", "6228480123456789012")
    page.get_by_role("button", name="保存发放计划").click()
    expect(page.locator("#payments")).to_contain_text("待发放")
    walk.shot("payment-planned")
    walk.login("finance")
    expect(page.locator("#next-actions").get_by_role("link", name="登记资金到位")).to_have_count(0)
    page.fill("input[name=bank_reference]", "ABC2026000777")
    page.get_by_role("button", name="登记支付").click()
    expect(page.locator("#payments")).to_contain_text("ABC2026000777")
    page.goto(walk.case_url)
    walk.status(Status.PAID)
    walk.shot("paid-by-finance")


def refer_to_civil_affairs(walk: Walk) -> None:
    """The 民政局 answers through the link, on a phone: 接收, 采纳, 落实."""
    page = walk.page
    walk.login("kongshen")
    page.get_by_role("link", name="移送协作单位").click()
    page.select_option("#id_agency", label="加查县民政局")
    page.check("input[name=measures][value=dibao]")
    page.fill("#id_situation", "申请人家庭无稳定收入，请协助评估纳入低保。")
    page.get_by_role("button", name="移送并生成反馈链接").click()
    link = page.locator("#referral-url").input_value()
    expect(page.locator("#referral-qr svg")).to_be_visible()
    walk.shot("referral-link")
    partner = walk.browser.new_context(**PHONE).new_page()
    partner.goto(link)
    partner.fill("#id_responder", "卓玛")
    partner.get_by_role("button", name="确认接收").click()
    expect(partner.locator("#referral-status")).to_have_text("已接收")
    partner.get_by_role("button", name="采纳", exact=True).click()
    expect(partner.locator("#referral-status")).to_have_text("已采纳")
    expect(partner.locator("#id_responder")).to_have_value("卓玛")
    partner.select_option("#id_measure", "dibao")
    partner.fill("#id_note", "已纳入农村低保")
    partner.get_by_role("button", name="提交落实情况").click()
    expect(partner.locator("#taken")).to_contain_text("已纳入农村低保（卓玛）")
    assert partner.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    walk.shot("partner-phone-answered", partner)
    partner.context.close()
    assert Referral.objects.get(case=walk.case).responder == "卓玛"


def follow_up_close_archive(walk: Walk, acceptance: IssuedDocument, name: str) -> None:
    """The first visit (回访); 结案 shows what is open; 归档 waits until the dossier is clean."""
    page, today = walk.page, clock.today().isoformat()
    page.goto(walk.case_url)
    page.locator("#visits").get_by_role("link", name="登记回访").first.click()
    page.fill("#id_held_on", today)
    page.check("input[name=method][value=home]")
    page.fill("#id_living", "救助金已用于治疗和生活，家庭生活趋于稳定。")
    page.get_by_role("button", name="保存回访").click()
    page.goto(walk.case_url)
    walk.status(Status.FOLLOW_UP)
    walk.shot("follow-up")
    page.locator("#next-actions").get_by_role("link", name="结案", exact=True).click()
    check = lambda label: page.locator(f"#closing-checklist li[data-check='{label}']")  # noqa: E731
    expect(check("法律文书送达")).to_contain_text("未送达：受理通知书")
    expect(check("救助金发放")).to_have_attribute("data-ok", "1")
    expect(check("转介反馈")).to_have_attribute("data-ok", "1")  # the 民政局 answered
    expect(check("回访")).to_contain_text("尚未回访")  # the later visits planned from the payment
    walk.shot("closing-checklist")
    page.fill("#id_summary", "救助金已发放，协作单位已落实低保，回访情况良好，予以结案。")
    page.get_by_role("button", name="确认结案", exact=True).click()
    walk.status(Status.CLOSED)
    page.goto(walk.case_url + "archive/")
    expect(check("法律文书送达")).to_contain_text("须先处理")
    page.fill("#id_archive_number", f"加检救档〔{clock.today().year}〕{walk.case.pk}号")
    page.get_by_role("button", name="确认归档", exact=True).click()
    expect(page.locator("body")).to_contain_text("卷宗不完整，不能归档")
    walk.shot("archive-refused")
    assert walk.case.status == Status.CLOSED
    page.goto(walk.case_url)
    walk.serve(acceptance, name)
    page.goto(walk.case_url + "archive/")
    expect(check("法律文书送达")).to_have_attribute("data-ok", "1")
    expect(check("决定书入卷")).to_have_attribute("data-ok", "1")
    page.fill("#id_archive_number", f"加检救档〔{clock.today().year}〕{walk.case.pk}号")
    page.get_by_role("button", name="确认归档", exact=True).click()
    walk.status(Status.ARCHIVED)
    expect(page.locator("#next-actions")).to_have_count(0)
    docs = page.locator("#documents")
    expect(docs).not_to_contain_text("未送达")
    walk.shot("archived")
    assert_cjk_renders(page, page.evaluate("getComputedStyle(document.body).fontFamily"))


def carry_to_archive(walk: Walk, amount: str, name: str) -> None:
    """From 已受理 (the 受理通知书 made, not yet served) to 已归档."""
    acceptance = walk.issue(Kind.ACCEPTANCE_NOTICE, "受理通知书")
    walk.shot("accepted")
    review(walk, amount)
    approve(walk, amount)
    serve_and_pay(walk, amount, name)
    refer_to_civil_affairs(walk)
    follow_up_close_archive(walk, acceptance, name)
    case = walk.case
    assert case.status == Status.ARCHIVED and case.paid_amount == case.decided_amount
    for doc in IssuedDocument.objects.filter(case=case, status=IssuedDocument.Status.ISSUED):
        if doc.kind in (Kind.ACCEPTANCE_NOTICE, Kind.GRANT_DECISION):
            assert doc.services.exists(), doc


@pytest.fixture
def walk(browser: Browser, live_server, world, tmp_path: Path, request: pytest.FixtureRequest,
         settings: Any) -> Walk:
    from jiuzhu.notifications.sms import MemoryBackend

    settings.JIUZHU_SMS_BACKEND = "jiuzhu.notifications.sms.MemoryBackend"  # the portal's login codes
    MemoryBackend.outbox.clear()
    agency(world, "540528", AgencyKind.CIVIL_AFFAIRS, "加查县民政局")
    folder = tmp_path / request.node.originalname.removeprefix("test_")[:40]
    folder.mkdir()
    return Walk(browser, live_server.url, world, folder)


# ---------------------------------------------------------------------------------------------
# 1. The walk-in


def test_a_walk_in_is_carried_from_the_counter_to_the_archive(walk: Walk) -> None:
    page, name = walk.page, "次仁卓嘎"
    walk.login("kongshen")
    page.get_by_role("link", name="来访申请").first.click()
    expect(page.locator("h1")).to_have_text("来访申请")
    page.fill("#id_person_name", name)
    page.fill("#id_id_number", _id_number("540528", "19860512", "128"))
    page.fill("#id_phone", "13812345678")
    page.fill("#id_address", "加查县安绕镇某村")
    page.fill("#id_charge", "故意伤害罪")
    page.fill("#id_clue_summary", "本人来访申请司法救助。丈夫被故意伤害致残，加害人无力赔偿，家庭生活困难。")
    page.select_option("#id_form", "written")
    walk.shot("walk-in-form")
    page.get_by_role("button", name="登记来访申请").click()
    expect(page.locator(".alert-success")).to_contain_text("已登记来访申请")
    walk.status(Status.APPLIED)  # one step: the case and its application together
    walk.case_url = page.url
    walk.shot("walk-in-applied")
    walk.act("受理")
    walk.status(Status.ACCEPTED)
    carry_to_archive(walk, "12000", name)


# ---------------------------------------------------------------------------------------------
# 2. The online application: a mother, on a 360-px phone, for her 14-year-old son


def apply_online(walk: Walk, mother: str, son: str) -> tuple[Page, str]:
    phone = walk.browser.new_context(**PHONE).new_page()
    phone.goto(walk.base + "/apply/")
    phone.get_by_role("link", name="开始申请 / 查看我的申请").click()
    phone.get_by_label("手机号码").fill("13800138055")
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.get_by_role("status")).to_contain_text("验证码已发送")
    phone.get_by_label("短信验证码").fill(last_code("13800138055"))
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.get_by_role("button", name="新的申请").click()
    phone.get_by_label("法定代理人（如未成年人的父母）").check()
    phone.get_by_label("申请人姓名").fill(mother)
    phone.get_by_label("申请人身份证号码").fill(_id_number("540528", "19840302", "126"))
    phone.get_by_label("与被害人的关系").fill("母亲")
    walk.shot("phone-applicant", phone)
    phone.get_by_role("button", name="保存，下一步").click()
    born = clock.today().replace(year=clock.today().year - 14, month=1, day=15)
    phone.get_by_label("被害人姓名").fill(son)
    phone.get_by_label("被害人身份证号码").fill(_id_number("540528", f"{born:%Y%m%d}", "135"))
    phone.get_by_label("被害人现在的情况").select_option("injured")
    phone.get_by_role("button", name="保存，下一步").click()
    phone.get_by_label("办理原案件的检察院").select_option("540528")
    phone.get_by_label("案件类型或罪名").fill("故意伤害")
    phone.get_by_label("简要说明发生了什么").fill("儿子在放学路上被人打伤，加害人无力赔偿。")
    phone.get_by_role("button", name="保存，下一步").click()
    phone.get_by_label("受到的伤害或损失").fill("右臂骨折，住院一个月。")
    phone.get_by_label("已经花费的医疗费用（元）").fill("18000")
    phone.get_by_label("家庭生活情况").fill("单亲家庭，母亲打零工，收入很少。")
    phone.get_by_label("家庭人口数").fill("2")
    phone.get_by_role("button", name="保存，下一步").click()
    phone.get_by_label("已经得到的赔偿（元）").fill("0")
    phone.get_by_role("button", name="保存，下一步").click()
    phone.get_by_label("现住址").fill("加查县加查镇")
    phone.get_by_label("收款人姓名").fill(mother)
    phone.get_by_label("开户银行").fill("中国农业银行加查县支行")
    phone.get_by_label("银行账号").fill("6228480123456789012")
    phone.get_by_role("button", name="保存，下一步").click()
    for kind, file, mime, data in (("identity", "身份证.png", "image/png", PNG),
                                   ("harm", "诊断证明.pdf", "application/pdf", PDF),
                                   ("relationship", "出生医学证明.pdf", "application/pdf", PDF)):  # she is his mother
        phone.get_by_label("这是什么材料").select_option(kind)
        phone.get_by_label("选择文件（照片或PDF）").set_input_files({"name": file, "mimeType": mime, "buffer": data})
        phone.get_by_role("button", name="上传这份材料").click()
    expect(phone.locator("#files")).to_contain_text("诊断证明.pdf")
    phone.get_by_role("button", name="材料已上传完，下一步").click()
    expect(phone.get_by_text("加查县人民检察院")).to_be_visible()
    phone.get_by_label("我保证所填内容和所交材料真实；如有虚假，愿意退回救助金并承担法律责任。").check()
    walk.shot("phone-review", phone)
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.get_by_role("status")).to_contain_text("申请已提交。回执号：WS")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    walk.shot("phone-submitted", phone)
    return phone, phone.locator("#status strong").first.inner_text()


def test_a_mothers_online_application_for_her_son_is_carried_to_the_archive(walk: Walk) -> None:
    mother, son = "旦增尼玛", "扎西次仁"
    phone, receipt = apply_online(walk, mother, son)
    page = walk.page
    walk.login("kongshen")
    page.get_by_role("link", name="网上申请").first.click()
    page.get_by_role("link", name=receipt).click()
    expect(page.locator("main")).to_contain_text(mother)
    walk.shot("intake-queue")
    page.get_by_role("button", name="材料齐全，登记并受理").click()
    walk.status(Status.ACCEPTED)
    walk.case_url = page.url.split("#")[0].split("?")[0]
    assert re.search(r"/cases/\d+/$", walk.case_url), walk.case_url
    case = walk.case
    assert case.applicant.name == mother and case.original_case.charge == "故意伤害"
    expect(page.locator("main")).to_contain_text("申请人（母亲）")  # the mother is the applicant
    expect(page.locator("main")).not_to_contain_text("被害人（母亲）")
    carry_to_archive(walk, "12000", mother)
    phone.reload()
    expect(phone.locator("#decision")).to_contain_text("决定给予救助")
    expect(phone.locator("#payment")).to_contain_text("已发放")
    walk.shot("phone-paid", phone)
    phone.context.close()
