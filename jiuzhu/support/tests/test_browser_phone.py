"""In Chromium on a 360-px phone (issue 13): the staff menu collapses; every date field of the support screens shows
its date (an ISO value: Chromium empties a date input given "2026/12/03"); a walk-in's case and application are
made in one step (来访申请); the referral link has a copy button and a QR code of the link alone; the partner's
经办人 is remembered for the link."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import segno
from playwright.sync_api import Browser, Page, expect

from jiuzhu.cases.models import AidCase, Channel, Status
from jiuzhu.lib import clock
from jiuzhu.support import actions
from jiuzhu.support.models import Referral, Visit
from jiuzhu.support.tests.helpers import agency
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", **PHONE}


def _folder(pytestconfig: Any) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "pc-phone"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _shows_its_date(page: Page, selector: str, day: str) -> None:
    """The date input holds DAY and Chromium parsed it (valueAsDate is null for a value it discarded)."""
    field = page.locator(selector)
    expect(field).to_have_attribute("type", "date")
    assert field.get_attribute("value") == day
    assert field.input_value() == day
    assert field.evaluate("el => el.valueAsDate !== null && el.validity.valid")


def _no_horizontal_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_on_a_phone_use_the_menu_the_dates_and_a_walk_in(page: Page, live_server, world, pytestconfig) -> None:
    folder = _folder(pytestconfig)
    base = live_server.url
    today = clock.today().isoformat()
    case = world.to("paid", "540528")
    actions.schedule_visits(case, acting_user=None)
    visit = Visit.objects.filter(case=case).order_by("due_on").first()
    agency(world, code="540528", kind="women", name="加查县妇联")
    _login(page, base, world.user("540528", "kongshen"))

    # The menu is collapsed: the visit form starts near the top, not under 400 px of links.
    page.goto(f"{base}/support/visits/{visit.pk}/")
    menu = page.locator("#jz-nav-menu")
    expect(menu).to_be_hidden()
    toggler = page.get_by_role("button", name="菜单")
    expect(toggler).to_be_visible()
    box = page.locator("#id_held_on").bounding_box()
    assert box is not None and box["y"] < 400, box
    _shows_its_date(page, "#id_held_on", today)
    _no_horizontal_scroll(page)
    page.screenshot(path=folder / "01-visit-form-360.png", full_page=True)
    toggler.click()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # the opening transition has ended
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="来访申请")).to_be_visible()
    expect(menu.get_by_role("button", name="退出")).to_be_visible()
    page.screenshot(path=folder / "02-menu-open-360.png", full_page=True)
    toggler.click()
    expect(menu).to_be_hidden()

    page.goto(f"{base}/support/cases/{case.pk}/services/new/")
    _shows_its_date(page, "#id_provided_on", today)
    page.screenshot(path=folder / "03-service-form-360.png", full_page=True)
    page.goto(f"{base}/support/clues/new/")
    _shows_its_date(page, "#id_on", today)
    first = page.locator("#id_agency option").first
    expect(first).to_have_text("请选择")
    page.screenshot(path=folder / "04-partner-clue-360.png", full_page=True)

    # 来访申请: one step from the menu to a case with its application.
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="来访申请").click()
    expect(page.locator("h1")).to_have_text("来访申请")
    _shows_its_date(page, "#id_on", today)
    _no_horizontal_scroll(page)
    page.fill("#id_person_name", "次仁卓嘎")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_charge", "故意伤害罪")
    page.fill("#id_clue_summary", "丈夫被故意伤害致残，无力赔偿，家庭生活困难。")
    page.select_option("#id_form", "oral")
    page.get_by_role("button", name="登记来访申请").click()
    expect(page.locator("main [role=alert]")).to_contain_text("口头申请须制作笔录")  # nothing made
    assert not AidCase.objects.filter(channel=Channel.WALK_IN).exists()
    expect(page.locator("#id_person_name")).to_have_value("次仁卓嘎")
    page.fill("#id_oral_record", "申请人陈述：丈夫于今年被他人故意伤害致残，加害人无赔偿能力。")
    page.screenshot(path=folder / "05-walk-in-360.png", full_page=True)
    page.get_by_role("button", name="登记来访申请").click()
    expect(page.locator("#case-status")).to_have_text("已申请")
    expect(page.locator(".alert-success")).to_contain_text("已登记来访申请")
    walk_in = AidCase.objects.get(channel=Channel.WALK_IN)
    assert walk_in.status == Status.APPLIED and walk_in.applied_on == clock.today()
    page.screenshot(path=folder / "06-walk-in-case-360.png", full_page=True)
    assert_cjk_renders(page, "Noto Sans CJK SC")


def test_the_referral_link_is_copied_or_scanned_and_the_partner_is_remembered(page: Page, browser: Browser,
                                                                              live_server, world, pytestconfig,
                                                                              browser_context_args) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "pc-phone"
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case = world.to("paid", "540527")
    agency(world)  # 洛扎县教育局
    _login(page, base, world.user("540527", "kongshen"))
    page.goto(f"{base}/support/cases/{case.pk}/referrals/new/")
    page.select_option("#id_agency", label="洛扎县教育局")
    page.check("input[name=measures][value=schooling]")
    page.fill("#id_situation", "申请人之子面临辍学，请协助落实就学资助。")
    page.get_by_role("button", name="移送并生成反馈链接").click()
    link = page.locator("#referral-url").input_value()
    assert "/support/r/" in link

    # The QR code encodes exactly the link (nothing else): the same modules as segno draws for the link.
    path = page.locator("#referral-qr svg path").first.get_attribute("d")
    expected = re.search(r'\bd="([^"]+)"', segno.make(link, error="m").svg_inline(scale=4, border=3))
    assert expected and path == expected.group(1)
    assert case.applicant.name not in (page.locator("#referral-qr").inner_html())
    qr = page.locator("#referral-qr svg").bounding_box()
    assert qr is not None and qr["width"] >= 120 and qr["x"] + qr["width"] <= 360
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.get_by_role("button", name="复制链接").click()
    expect(page.locator("#copy-done")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link  # what is pasted is the link itself
    _no_horizontal_scroll(page)
    page.screenshot(path=folder / "07-referral-link-360.png", full_page=True)

    partner_ctx = browser.new_context(**browser_context_args)  # the partner's phone, no account
    partner = partner_ctx.new_page()
    partner.goto(link)
    expect(partner.locator("#id_responder")).to_have_value("")
    partner.fill("#id_responder", "扎西")
    partner.get_by_role("button", name="确认接收").click()
    expect(partner.locator("#referral-status")).to_have_text("已接收")
    # Remembered: the next submit needs no retyping.
    expect(partner.locator("#id_responder")).to_have_value("扎西")
    partner.get_by_role("button", name="采纳", exact=True).click()
    expect(partner.locator("#referral-status")).to_have_text("已采纳")
    expect(partner.locator("#id_responder")).to_have_value("扎西")
    _shows_its_date(partner, "#id_taken_on", clock.today().isoformat())  # the partner link's 落实日期
    partner.select_option("#id_measure", "schooling")
    partner.fill("#id_note", "减免学费")
    _no_horizontal_scroll(partner)
    partner.screenshot(path=folder / "08-partner-measure-360.png", full_page=True)
    partner.get_by_role("button", name="提交落实情况").click()
    expect(partner.locator("#taken")).to_contain_text("减免学费（扎西）")
    expect(partner.locator("#id_responder")).to_have_value("扎西")
    assert Referral.objects.get(case=case).responder == "扎西"
    partner.screenshot(path=folder / "09-partner-done-360.png", full_page=True)
    assert_cjk_renders(partner, "Noto Sans CJK SC")
    partner_ctx.close()
