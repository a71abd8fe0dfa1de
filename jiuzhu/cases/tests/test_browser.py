"""End-to-end tests in Debian's Chromium: staff carry aid cases through the real screens.

Each test saves a full-page screenshot of every step to test-artifacts/<test name>/NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from jiuzhu.cases.models import Status
from jiuzhu.lib import clock
from jiuzhu.people.idcard import check_digit
from jiuzhu.testing import browser_login as login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

# serialized_rollback: the flush after a transactional test would empty the holiday table.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Override of pytest-playwright's fixture: a Chinese-locale browser with a wide window."""
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


# ---------------------------------------------------------------------------------------------
# Helpers


class Shots:
    """Numbered full-page screenshots into one folder per test."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0

    def __call__(self, step: str) -> None:
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{step}.png", full_page=True)


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Shots:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / request.node.originalname  # no "[chromium]"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Shots(page, folder)


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="退出", exact=True)).to_have_count(0)


def open_case_from_worklist(page: Page, base: str, number: str) -> None:
    page.goto(base + "/")
    page.locator("#worklist").get_by_role("link", name=number, exact=True).click()
    expect(page.locator("h1")).to_contain_text(number)


def act(page: Page, label: str, fill: Callable[[], object] | None = None) -> None:
    """Click the case page's button LABEL, fill its form, confirm, and land back on the case page."""
    page.locator("#next-actions").get_by_role("link", name=label, exact=True).click()
    expect(page.locator("h1")).to_contain_text(label)
    if fill is not None:
        fill()
    page.get_by_role("button", name=f"确认{label}", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(f"已完成：{label}")


def expect_status(page: Page, status: Status) -> None:
    expect(page.locator("#case-status")).to_have_text(status.label)


def assert_page_draws_chinese(page: Page) -> None:
    """The cjk helper, in the font stack the page's own stylesheet asks for."""
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans CJK SC" in family, family  # jiuzhu.css was loaded
    assert_cjk_renders(page, family)


def fill_opinion(page: Page, *, present: set[str], recommendation: str, amount: str = "",
                 reasoning: str, notes: dict[str, str] | None = None) -> None:
    page.select_option("#id_category", "E1")
    for n in range(1, 7):
        code = f"X{n}"
        page.check(f"input[name={code}_present][value={'yes' if code in present else 'no'}]")
        if notes and code in notes:
            page.fill(f"#id_{code}_note", notes[code])
    page.check(f"input[name=recommendation][value={recommendation}]")
    if amount:
        page.fill("#id_proposed_amount", amount)
    page.fill("#id_reasoning", reasoning)


# ---------------------------------------------------------------------------------------------
# 1. The whole life of a granted case, from a case department's clue to the archive


def test_it_carries_a_clue_from_case_department_to_archive(page: Page, live_server, world, shot) -> None:
    base = live_server.url
    prosecutor = world.user("540528", "case_prosecutor")
    kongshen = world.user("540528", "kongshen")
    head = world.user("540528", "dept_head")
    deputy, chief = world.user("540528", "deputy_chief"), world.user("540528", "chief")
    today = clock.today().isoformat()
    # The 17th digit is the sex: even for a woman (the clue is tagged 妇女).
    first17 = "540528" + "19850314" + "124"
    id_number = first17 + check_digit(first17)

    # The case-department prosecutor raises the clue.
    login(page, base, prosecutor)
    page.get_by_role("link", name="登记线索", exact=True).click()
    expect(page.locator("h1")).to_have_text("登记救助线索")
    page.select_option("#id_org", label="加查县人民检察院")
    page.select_option("#id_channel", label="办案部门移送")
    page.fill("#id_source_detail", "刑事检察部")
    page.fill("#id_person_name", "次仁卓玛")
    page.fill("#id_id_number", id_number)
    page.fill("#id_original_case_number", "（2026）藏0528刑初12号")
    page.fill("#id_charge", "故意伤害罪")
    page.check("input[name=groups][value=妇女]")
    page.fill("#id_clue_summary", "被害人因伤致残，丧失劳动能力，加害人无赔偿能力，家庭生活困难。")
    shot("clue-form")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已登记救助线索")
    expect_status(page, Status.CLUE)
    number = page.locator("h1").inner_text().removeprefix("救助案件").strip()
    assert re.fullmatch(r"540528-\d{4}-\d{4}", number), number
    case_url = page.url
    shot("clue")

    act(page, "告知申请权利", lambda: page.select_option("#id_manner", "written"))
    expect_status(page, Status.NOTIFIED)
    shot("notified")
    logout(page)

    # The complaints prosecutor (控申检察官) handles the application and reviews it.
    login(page, base, kongshen)
    open_case_from_worklist(page, base, number)
    assert page.url == case_url
    act(page, "登记救助申请", lambda: page.select_option("#id_form", label="书面申请"))
    expect_status(page, Status.APPLIED)
    shot("applied")
    act(page, "受理")
    expect_status(page, Status.ACCEPTED)
    shot("accepted")
    act(page, "开始审查")
    expect_status(page, Status.UNDER_REVIEW)
    shot("under-review")

    def home_visit() -> None:
        page.select_option("#id_kind", "home_visit")
        page.fill("#id_held_on", today)
        page.fill("#id_place", "加查县某乡某村")
        page.fill("#id_participants", "控申检察官、村委会主任")
        page.fill("#id_content", "走访申请人家中：房屋简陋，主要劳动力丧失，无固定收入。")

    act(page, "录入笔录/走访记录", home_visit)
    expect_status(page, Status.UNDER_REVIEW)
    expect(page.locator("#records")).to_contain_text("走访记录")
    shot("home-visit")

    def opinion() -> None:
        fill_opinion(page, present=set(), recommendation="grant", amount="12000",
                     reasoning="申请人因案致残、生活困难，符合救助条件，建议救助12000元。")
        shot("opinion-form")

    act(page, "提交审查意见", opinion)
    expect_status(page, Status.PENDING_APPROVAL)
    expect(page.locator("#opinion")).to_contain_text("12,000.00")
    shot("pending-approval")
    logout(page)

    # 12,000 yuan reaches the collective-decision threshold: 部门负责人 → 分管副检察长 → 检察长办公会.
    login(page, base, head)
    page.goto(base + "/?view=to_approve")
    open_case_from_worklist(page, base, number)
    expect(page.locator("#next-actions")).not_to_contain_text("决定救助")
    act(page, "同意（报下一环节）", lambda: shot("head-approves"))
    expect_status(page, Status.PENDING_APPROVAL)
    logout(page)
    login(page, base, deputy)
    page.goto(case_url)
    act(page, "同意（报下一环节）")
    logout(page)

    login(page, base, chief)
    page.goto(case_url)

    def grant() -> None:
        expect(page.locator("#approval-summary")).to_contain_text("检察长办公会")
        expect(page.locator("#id_amount")).to_have_value(re.compile(r"^12000(\.00)?$"))
        page.fill("#id_reasons", "经检察长办公会研究，同意给予国家司法救助。")
        page.fill("#id_meeting_date", today)
        page.fill("#id_attendees", "检察长、副检察长、第十检察部主任、承办检察官")
        page.fill("#id_minutes", "会议听取汇报，同意救助12000元。")
        shot("grant-form")

    act(page, "决定救助", grant)
    expect_status(page, Status.GRANTED)
    expect(page.locator("#decision")).to_contain_text("12,000.00")
    shot("granted")
    logout(page)

    # The complaints prosecutor serves the decision, pays, follows up, closes and archives.
    login(page, base, kongshen)
    page.goto(case_url)

    def serve() -> None:
        expect(page.locator("#id_recipient")).to_have_value("次仁卓玛")
        page.select_option("#id_method", "direct")

    act(page, "送达决定书", serve)
    expect_status(page, Status.SERVED)
    shot("served")
    from jiuzhu.cases.models import AidCase

    world.ensure_cash(AidCase.objects.get(pk=int(case_url.rstrip("/").split("/")[-1])))  # finance allocated it
    act(page, "登记资金到位")
    expect_status(page, Status.AWAITING_PAYMENT)
    shot("awaiting-payment")

    # Paying goes through the payments panel: the handler plans it, finance pays it at the bank.
    expect(page.locator("#next-actions")).not_to_contain_text("登记发放救助金")
    page.fill("#id_plan", f"12000 {today}")
    page.fill("#id_payee_name", "次仁卓玛")
    page.fill("#id_bank_name", "中国农业银行加查县支行")
    page.fill("#id_account", "6228480123456789012")
    page.get_by_role("button", name="保存发放计划").click()
    expect(page.locator("#payments")).to_contain_text("待发放")
    logout(page)
    login(page, base, world.user("540528", "finance"))
    page.goto(case_url)
    page.fill("input[name=bank_reference]", "ABC2026000001")
    page.get_by_role("button", name="登记支付").click()
    expect(page.locator("#payments")).to_contain_text("ABC2026000001")
    page.goto(case_url)
    expect_status(page, Status.PAID)
    shot("paid")
    logout(page)
    login(page, base, kongshen)
    page.goto(case_url)

    # One path into 回访: the visits were planned by the payment; recording the first one moves the case.
    expect(page.locator("#next-actions")).not_to_contain_text("回访")
    page.locator("#visits").get_by_role("link", name="登记回访").first.click()
    page.fill("#id_held_on", today)
    page.check("input[name=method][value=home]")
    page.fill("#id_living", "救助金已用于康复治疗，申请人生活趋于稳定。")
    page.get_by_role("button", name="保存回访").click()
    page.goto(case_url)
    expect_status(page, Status.FOLLOW_UP)
    shot("follow-up")
    act(page, "结案", lambda: page.fill("#id_summary", "救助金已发放，回访情况良好，予以结案。"))
    expect_status(page, Status.CLOSED)
    shot("closed")
    # The archive rules: the decision document made and every document served (documents.dossier).
    world.paper_trail(AidCase.objects.get(pk=int(case_url.rstrip("/").split("/")[-1])))
    page.goto(case_url)
    act(page, "归档", lambda: page.fill("#id_archive_number", "加检救档〔2026〕1号"))
    expect_status(page, Status.ARCHIVED)
    expect(page.locator("#summary")).to_contain_text("加检救档〔2026〕1号")
    expect(page.locator("#next-actions")).to_have_count(0)
    shot("archived")

    timeline = page.locator("#timeline")
    for user in (prosecutor, kongshen, head, deputy, chief):
        expect(timeline).to_contain_text(str(user))
    for status in (Status.CLUE, Status.NOTIFIED, Status.APPLIED, Status.ACCEPTED, Status.UNDER_REVIEW,
                   Status.PENDING_APPROVAL, Status.GRANTED, Status.SERVED, Status.AWAITING_PAYMENT,
                   Status.PAID, Status.FOLLOW_UP, Status.CLOSED, Status.ARCHIVED):
        expect(timeline.locator("strong", has_text=re.compile(f"^{status.label}$"))).to_have_count(1)
    assert_page_draws_chinese(page)


# ---------------------------------------------------------------------------------------------
# 2. A refusal, with the grounds and the reasons the applicant is told


def test_it_refuses_with_reasons(page: Page, live_server, world, shot) -> None:
    base = live_server.url
    case = world.to("under_review")
    case_url = f"{base}/cases/{case.pk}/"
    reasons = "经审查，申请人生活困难系长期患病所致，并非本案犯罪行为造成，依照《人民检察院开展国家司法救助工作细则》第八条，决定不予救助。"

    login(page, base, world.user("540528", "kongshen"))
    page.goto(case_url)
    expect_status(page, Status.UNDER_REVIEW)
    shot("under-review")

    def opinion() -> None:
        fill_opinion(page, present={"X5"}, recommendation="refuse",
                     notes={"X5": "申请人患慢性病多年，生活困难在案发前已存在。"},
                     reasoning="存在X5情形，建议不予救助。")
        shot("opinion-form")

    act(page, "提交审查意见", opinion)
    expect_status(page, Status.PENDING_APPROVAL)
    expect(page.locator("#opinion")).to_contain_text("建议不予救助")
    shot("pending-approval")
    logout(page)

    login(page, base, world.user("540528", "dept_head"))
    page.goto(case_url)
    act(page, "同意（报下一环节）")
    logout(page)
    login(page, base, world.user("540528", "deputy_chief"))
    page.goto(case_url)

    def refuse() -> None:
        page.check("input[name=grounds][value=X5]")
        page.fill("#id_reasons", reasons)
        shot("refuse-form")

    act(page, "决定不予救助", refuse)
    expect_status(page, Status.REFUSED)
    decision = page.locator("#decision")
    expect(decision).to_contain_text("不予救助")
    expect(decision).to_contain_text(reasons)
    shot("refused")
    logout(page)

    login(page, base, world.user("540528", "kongshen"))
    page.goto(case_url)
    act(page, "送达决定书")
    expect_status(page, Status.SERVED)
    actions = page.locator("#next-actions")
    expect(actions.get_by_role("link", name="结案", exact=True)).to_be_visible()
    expect(actions.get_by_role("link", name="登记资金到位", exact=True)).to_have_count(0)
    shot("served")
    act(page, "结案", lambda: page.fill("#id_summary", "不予救助决定书已送达，已向申请人释法说理。"))
    expect_status(page, Status.CLOSED)
    expect(page.locator("#decision")).to_contain_text(reasons)
    shot("closed")


# ---------------------------------------------------------------------------------------------
# 3. The background worker lapses an application whose supplement never came


def test_it_lapses_an_incomplete_application_after_30_days_of_silence(page: Page, live_server, world,
                                                                      shot) -> None:
    from django_tasks_db.models import DBTaskResult

    from jiuzhu.cases import actions
    from jiuzhu.ops.tasks import daily_sweep

    base = live_server.url
    kongshen = world.user("540528", "kongshen")
    today = clock.today()
    with clock.travel(today - dt.timedelta(days=50)):
        case = world.to("applied")
    # 40 days ago: the 30 days (extended to a working day if they end on a holiday) have surely run out.
    actions.request_supplement(case, acting_user=kongshen, missing="生活困难证明",
                               on=today - dt.timedelta(days=40))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SUPPLEMENT

    daily_sweep.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run = DBTaskResult.objects.filter(task_path=daily_sweep.module_path).exclude(status="READY").get()
    assert run.status == "SUCCESSFUL", run.status
    case.refresh_from_db()
    assert case.status == Status.ABANDONED

    login(page, base, kongshen)
    page.goto(f"{base}/cases/{case.pk}/")
    expect_status(page, Status.ABANDONED)
    lapse = page.locator("#timeline li", has=page.locator("strong", has_text=re.compile("^视为放弃$")))
    expect(lapse).to_have_count(1)
    expect(lapse.locator(".when")).to_contain_text("· 系统")
    expect(lapse).to_contain_text("申请人逾期未补正材料，视为放弃申请。")
    shot("abandoned")

    page.get_by_role("link", name="通知", exact=True).click()
    expect(page.locator("h1")).to_have_text("通知")
    item = page.locator(".jz-card div", has_text=case.number)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("申请视为放弃")
    expect(item).to_contain_text("申请人逾期未补正，已视为放弃申请。")
    shot("notifications")


# ---------------------------------------------------------------------------------------------
# 4. A county sees only its own cases; the city above sees theirs


def test_it_hides_other_counties_cases(page: Page, live_server, world, shot) -> None:
    base = live_server.url
    theirs = world.to("applied", "540528")
    ours = world.to("applied", "540527")

    login(page, base, world.user("540527", "kongshen"))
    response = page.goto(f"{base}/cases/{theirs.pk}/")
    assert response is not None and response.status == 404
    shot("other-county-case-404")

    page.goto(base + "/")
    worklist = page.locator("#worklist")
    expect(worklist.get_by_role("link", name=ours.number, exact=True)).to_be_visible()
    expect(worklist).not_to_contain_text(theirs.number)
    expect(worklist).not_to_contain_text("540528-")
    expect(worklist).not_to_contain_text("加查县")
    shot("county-worklist")

    page.goto(f"{base}/search/?q={theirs.number}")
    expect(page.locator("#results")).to_contain_text("没有找到您有权查看的案件。")
    expect(page.locator("main")).to_contain_text("找到 0 件")
    shot("county-search")
    logout(page)

    login(page, base, world.user("540500", "kongshen"))
    page.goto(base + "/")
    worklist = page.locator("#worklist")
    expect(worklist.get_by_role("link", name=theirs.number, exact=True)).to_be_visible()
    expect(worklist.get_by_role("link", name=ours.number, exact=True)).to_be_visible()
    shot("city-worklist")
    response = page.goto(f"{base}/cases/{theirs.pk}/")
    assert response is not None and response.status == 200
    expect_status(page, Status.APPLIED)
    shot("city-reads-county-case")


# ---------------------------------------------------------------------------------------------
# 5. Every screen draws Chinese as glyphs


def test_every_page_shows_chinese_not_boxes(page: Page, live_server, world, shot) -> None:
    base = live_server.url
    case = world.to("under_review")
    login(page, base, world.user("540528", "kongshen"))
    pages = [
        ("worklist", "/", "工作台"),
        ("new-clue", "/cases/new/", "登记救助线索"),
        ("case", f"/cases/{case.pk}/", f"救助案件 {case.number}"),
        ("search", f"/search/?q={case.number}", "检索案件"),
        ("notifications", "/notifications/", "通知"),
    ]
    for name, path, heading in pages:
        response = page.goto(base + path)
        assert response is not None and response.ok, (path, response and response.status)
        expect(page.locator("h1")).to_have_text(heading)
        shot(name)
        assert_page_draws_chinese(page)
