"""In Chromium: a referral is sent, opened by its link in a fresh browser without an account, accepted,
its measures recorded; the case page shows them; a tampered or expired link is refused and changes nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jiuzhu.lib import clock
from jiuzhu.support.models import Referral, ReferralMeasure
from jiuzhu.support.tests.helpers import agency, refer
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1300, "height": 900}}


def test_a_partner_answers_a_referral_by_its_link_without_an_account(page: Page, browser: Browser, live_server,
                                                                     world, pytestconfig,
                                                                     browser_context_args) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "support"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = live_server.url
    case = world.to("paid", "540527")
    edu = agency(world)
    agency(world, kind="civil_affairs", name="洛扎县民政局")

    _login(page, base, world.user("540527", "kongshen"))
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_role("link", name="移送协作单位").click()
    page.select_option("#id_agency", label="洛扎县教育局")
    page.check("input[name=measures][value=schooling]")
    page.fill("#id_situation", "申请人之子面临辍学，请协助落实就学资助。")
    page.fill("#id_basis_note", "申请人书面同意")
    page.screenshot(path=folder / "01-referral-form.png", full_page=True)
    page.get_by_role("button", name="移送并生成反馈链接").click()
    link = page.locator("#referral-url").input_value()
    assert "/support/r/" in link
    page.screenshot(path=folder / "02-link.png", full_page=True)

    fresh = browser.new_context(**browser_context_args)  # no session, no account
    partner = fresh.new_page()
    partner.goto(link)
    expect(partner.locator("#referral-status")).to_have_text("已发送")
    body = partner.locator("body").inner_text()
    assert case.applicant.id_number not in body and case.applicant.id_number_masked not in body
    assert case.applicant.name in body
    partner.fill("#id_responder", "扎西")
    partner.get_by_role("button", name="确认接收").click()
    expect(partner.locator("#referral-status")).to_have_text("已接收")
    partner.fill("#id_responder", "扎西")
    partner.get_by_role("button", name="采纳", exact=True).click()
    expect(partner.locator("#referral-status")).to_have_text("已采纳")
    partner.fill("#id_responder", "扎西")
    partner.select_option("#id_measure", "schooling")
    partner.fill("#id_taken_on", clock.today().isoformat())
    partner.fill("#id_amount", "1500")
    partner.fill("#id_note", "减免学费并安排寄宿")
    partner.check("#id_done")
    partner.get_by_role("button", name="提交落实情况").click()
    expect(partner.locator("#referral-status")).to_have_text("已落实")
    expect(partner.locator("#taken")).to_contain_text("减免学费并安排寄宿")
    partner.screenshot(path=folder / "03-partner-page.png", full_page=True)
    assert_cjk_renders(partner, partner.evaluate("getComputedStyle(document.body).fontFamily"))

    # A tampered link and an expired one: refused, nothing changes.
    before = (Referral.objects.get(agency=edu).status, ReferralMeasure.objects.count())
    partner.goto(link[:-3] + ("abc" if not link.endswith("abc") else "xyz"))
    expect(partner.locator("#link-invalid")).to_contain_text("链接无效")
    partner.screenshot(path=folder / "04-tampered.png", full_page=True)
    # The expired link belongs to a referral sent 40 days ago, on a case raised then (a referral is never
    # dated before its case's clue: the date policy).
    with clock.travel(clock.today() - dt.timedelta(days=40)):
        old, old_link = refer(world, world.to("paid", "540527"), edu)
    partner.goto(f"{base}/support/r/{old_link}/")
    expect(partner.locator("#link-invalid")).to_contain_text("已过期")
    response = partner.request.post(f"{base}/support/r/{old_link}/", form={"action": "accept", "responder": "x"})
    assert response.status == 403
    old.refresh_from_db()
    assert old.status == Referral.Status.SENT
    assert (Referral.objects.get(pk=Referral.objects.filter(agency=edu).order_by("pk").first().pk).status,
            ReferralMeasure.objects.count()) == before
    fresh.close()

    page.goto(f"{base}/cases/{case.pk}/#support")
    support = page.locator("#support")
    expect(support).to_contain_text("洛扎县教育局")
    expect(support).to_contain_text("已落实")
    expect(support).to_contain_text("减免学费并安排寄宿")
    support.screenshot(path=folder / "05-case-support.png")

    page.goto(f"{base}/")
    expect(page.locator("#support-overdue")).to_contain_text("协作单位逾期未反馈（1）")
    page.screenshot(path=folder / "06-worklist.png", full_page=True)


def test_a_visit_is_recorded_on_a_phone_and_lists_are_screened(browser: Browser, live_server, world, pytestconfig,
                                                               browser_context_args) -> None:
    from jiuzhu.support import actions
    from jiuzhu.support.models import Service, Visit

    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "support"
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case = world.to("paid", "540527")
    actions.schedule_visits(case, acting_user=None)
    visit = Visit.objects.filter(case=case).order_by("due_on").first()
    phone = browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 844},
                                   "is_mobile": True, "has_touch": True})
    page = phone.new_page()
    _login(page, base, world.user("540527", "kongshen"))
    page.goto(f"{base}/support/visits/{visit.pk}/")
    page.fill("#id_held_on", clock.today().isoformat())
    page.check("input[name=method][value=phone]")
    page.fill("#id_living", "伤情好转，生活基本稳定。")
    page.fill("#id_funds_use", "用于医疗和子女学费。")
    page.fill("#id_new_needs", "子女需要心理疏导。")
    page.select_option("#id_service_kind", "counselling")
    page.screenshot(path=folder / "07-visit-phone.png", full_page=True)
    page.get_by_role("button", name="保存回访").click()
    expect(page.locator("#visits")).to_contain_text("电话回访")
    assert Service.objects.filter(case=case, kind="counselling").count() == 1
    phone.close()

    desk = browser.new_context(**browser_context_args)
    page = desk.new_page()
    _login(page, base, world.user("540527", "kongshen"))
    page.goto(f"{base}/support/screening/")
    tmp = folder / "lists"
    tmp.mkdir(exist_ok=True)
    from jiuzhu.support.tests.test_screening import ids

    a, b = ids([1, 2, 3, 4]), ids([3, 4, 5])
    (tmp / "dibao.csv").write_text("姓名,身份证号码,情况\n" + "".join(f"人员{i},{x},低保户\n" for i, x in enumerate(a)),
                                   encoding="utf-8")
    (tmp / "victims.csv").write_text("姓名,身份证号码,情况\n" + "".join(f"人员{i},{x},故意伤害案被害人\n"
                                                                  for i, x in enumerate(b)), encoding="utf-8")
    for source, name, file in (("hardship", "洛扎县民政局低保名单", "dibao.csv"),
                               ("victims", "办案部门被害人名单", "victims.csv")):
        page.select_option("#id_source", source)
        page.fill("#id_name", name)
        page.set_input_files("#id_file", str(tmp / file))
        page.get_by_role("button", name="导入", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text(name)
    page.get_by_role("button", name="开始比对").click()
    expect(page.locator(".alert-success")).to_contain_text("新发现2人")
    expect(page.locator("#matches tbody tr")).to_have_count(2)
    expect(page.locator("#matches")).not_to_contain_text(a[2])
    page.screenshot(path=folder / "08-screening.png", full_page=True)
    desk.close()
