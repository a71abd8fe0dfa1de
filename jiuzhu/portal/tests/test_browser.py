"""In Chromium at phone width (360 px): apply online with two attachments, get the receipt, staff of the
right county ask for a missing document, the applicant uploads it, and later sees the decision and payment."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jiuzhu.demo.data import DEMO_PASSWORD
from jiuzhu.portal.tests.helpers import APPLICANT_ID, PDF, PNG, last_code
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = "13800138000"


def _phone_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 780}, is_mobile=True,
                                  has_touch=True, device_scale_factor=1)
    return context.new_page()


def _fits(page: Page) -> None:
    """Nothing sticks out sideways at 360 px (no horizontal scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_it_applies_online_on_a_phone_and_follows_the_case_to_payment(browser: Browser, live_server, world,
                                                                       pytestconfig: Any) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "portal"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = live_server.url
    page = _phone_page(browser)

    def shot(name: str) -> None:
        _fits(page)
        page.screenshot(path=folder / f"{name}.png", full_page=True)

    assert_cjk_renders(page)
    page.goto(base + "/apply/")
    expect(page.get_by_role("heading", name="申请国家司法救助")).to_be_visible()
    shot("01-home")
    page.get_by_role("link", name="开始申请 / 查看我的申请").click()
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(last_code(PHONE))
    shot("02-login")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="新的申请").click()

    # 1 applicant — keyboard only: labels reach the fields.
    page.get_by_label("本人（被害人或其近亲属）").check()
    page.get_by_label("申请人姓名").fill("次仁卓玛")
    page.get_by_label("申请人身份证号码").fill(APPLICANT_ID)
    shot("03-applicant")
    page.get_by_role("button", name="保存，下一步").click()
    # 2 victim
    page.get_by_label("被害人就是申请人本人").check()
    page.get_by_label("被害人现在的情况").select_option("injured")
    page.get_by_role("button", name="保存，下一步").click()
    # 3 original case
    page.get_by_label("办理原案件的检察院").select_option("540528")
    page.get_by_label("案件类型或罪名").fill("故意伤害")
    page.get_by_label("简要说明发生了什么").fill("2026年3月在加查县被人打伤，加害人无力赔偿。")
    shot("04-case")
    page.get_by_role("button", name="保存，下一步").click()
    # 4 harm and family
    page.get_by_label("受到的伤害或损失").fill("左腿骨折，住院两个月。")
    page.get_by_label("已经花费的医疗费用（元）").fill("32000")
    page.get_by_label("家庭生活情况").fill("一家四口，靠务农为生，丈夫常年患病。")
    page.get_by_label("家庭人口数").fill("4")
    page.get_by_role("button", name="保存，下一步").click()
    # 5 received
    page.get_by_label("已经得到的赔偿（元）").fill("0")
    page.get_by_role("button", name="保存，下一步").click()
    # 6 address and bank — a wrong account number first: a Chinese message, nothing lost.
    page.get_by_label("现住址").fill("加查县安绕镇")
    page.get_by_label("收款人姓名").fill("次仁卓玛")
    page.get_by_label("开户银行").fill("中国农业银行加查县支行")
    page.get_by_label("银行账号").fill("6228-abc")
    page.get_by_role("button", name="保存，下一步").click()
    expect(page.locator(".errorlist")).to_contain_text("银行账号应为12至30位数字。")
    expect(page.get_by_label("现住址")).to_have_value("加查县安绕镇")
    shot("05-bank-error")
    page.get_by_label("银行账号").fill("6228480123456789012")
    page.get_by_role("button", name="保存，下一步").click()
    # 7 materials: two attachments
    for kind, name, mime, data in (("identity", "身份证.png", "image/png", PNG),
                                   ("harm", "诊断证明.pdf", "application/pdf", PDF)):
        page.get_by_label("这是什么材料").select_option(kind)
        page.get_by_label("选择文件（照片或PDF）").set_input_files({"name": name, "mimeType": mime, "buffer": data})
        page.get_by_role("button", name="上传这份材料").click()
    expect(page.locator("#files")).to_contain_text("诊断证明.pdf")
    expect(page.locator("#files")).to_contain_text("身份证.png")
    shot("06-materials")
    page.get_by_role("button", name="材料已上传完，下一步").click()
    # 8 review and submit
    expect(page.get_by_text("加查县人民检察院")).to_be_visible()
    page.get_by_label("我保证所填内容和所交材料真实；如有虚假，愿意退回救助金并承担法律责任。").check()
    shot("07-review")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("status")).to_contain_text("申请已提交。回执号：WS")
    receipt = page.locator("#status strong").first.inner_text()
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载申请回执（PDF）").click()
    assert dl.value.suggested_filename == f"receipt-{receipt}.pdf"
    shot("08-receipt")

    # Staff of 加查 (desktop) see it in their intake queue and ask for a missing document.
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1300, "height": 900}).new_page()
    kongshen = world.user("540528", "kongshen")
    staff.goto(base + "/login/")
    staff.fill("#id_username", kongshen.username)
    staff.fill("#id_password", DEMO_PASSWORD)
    staff.get_by_role("button", name="登录", exact=True).click()
    staff.get_by_role("link", name="网上申请").click()
    staff.get_by_role("link", name=receipt).click()
    staff.fill("#id_missing", "请补交村（居）委会出具的家庭经济困难证明。")
    staff.screenshot(path=folder / "09-intake.png", full_page=True)
    staff.get_by_role("button", name="登记并通知补正").click()
    expect(staff.locator("body")).to_contain_text("待补正")
    staff.screenshot(path=folder / "10-case-awaiting.png", full_page=True)

    # The applicant sees what is missing and uploads it from the status page.
    page.reload()
    expect(page.locator("#missing")).to_contain_text("家庭经济困难证明")
    page.get_by_label("这是什么材料").select_option("hardship")
    page.get_by_label("选择文件（照片或PDF）").set_input_files(
        {"name": "困难证明.pdf", "mimeType": "application/pdf", "buffer": PDF})
    shot("11-supplement")
    page.get_by_role("button", name="上传这份补正材料").click()
    expect(page.locator("#pending")).to_contain_text("困难证明.pdf")
    page.get_by_role("button", name="补正材料已交齐").click()
    expect(page.get_by_role("status")).to_contain_text("补正材料已提交")

    # Staff decide and pay (the ordinary actions), and the applicant sees it in plain words.
    from jiuzhu.cases import actions as ca
    from jiuzhu.cases.models import AidCase
    from jiuzhu.demo.loader import GROUNDS_NONE, approve_route

    case = AidCase.objects.get(channel="online")
    assert case.status == "applied" and case.handling_org.code == "540528"
    ca.accept(case, acting_user=kongshen)
    ca.start_review(case, acting_user=kongshen)
    ca.submit_opinion(case, acting_user=kongshen, category="E1", grounds=GROUNDS_NONE, recommendation="grant",
                      reasoning="符合救助条件。", proposed_amount=Decimal("20000"))
    approve_route(world.demo, case, amount=Decimal("20000"), reasons="因案致贫，予以救助。")
    ca.serve_decision(case, acting_user=kongshen, method="direct", recipient="本人")
    world.ensure_cash(case)
    ca.record_funds(case, acting_user=kongshen)
    world.pay_in_full(case)  # finance pays through the funds app
    page.reload()
    expect(page.locator("#decision")).to_contain_text("决定给予救助，金额 20000.00 元")
    expect(page.locator("#payment")).to_contain_text("已发放 20000.00 元")
    shot("12-paid")


def test_it_logs_in_with_the_keyboard_alone(browser: Browser, live_server, world) -> None:
    page = _phone_page(browser)
    page.goto(live_server.url + "/apply/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Tab")  # the language switch (བོད་ཡིག) is reachable by keyboard
    assert page.evaluate("document.activeElement.value") == "bo"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type(PHONE)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "send"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").focus()
    page.keyboard.type(last_code(PHONE))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "verify"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="我的申请")).to_be_visible()
    _fits(page)
