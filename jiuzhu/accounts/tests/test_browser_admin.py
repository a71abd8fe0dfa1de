"""The scoped admin in Debian's Chromium: a city administrator's change list and the four-eyes confirm screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.accounts.models import Membership, Role
from jiuzhu.lib import clock
from jiuzhu.orgs.models import OrgSetting
from jiuzhu.testing import browser_login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_city_administrator_sees_their_subtree_and_a_second_administrator_confirms_a_grant(
        world, live_server, page: Page, pytestconfig: pytest.Config) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "accounts" / "admin-browser"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = live_server.url
    city_admin, province_admin = world.user("540500", "admin"), world.user("540000", "admin")
    OrgSetting.objects.create(org=world.orgs["540000"], key="funds.recover_refused_advance", value=False,
                              note="自治区院设置（市院不可见）")
    OrgSetting.objects.create(org=world.orgs["540528"], key="funds.recover_refused_advance", value=True,
                              note="加查县院设置")
    grantee = world.user("540528", "kongshen")
    grant = Membership.objects.create(user=grantee, org=world.orgs["540528"], role=Role.DEPUTY_CHIEF,
                                      is_active=False, requested_by=city_admin, requested_at=clock.now())

    browser_login(page, base, city_admin)
    page.goto(base + "/admin/orgs/orgsetting/")
    expect(page.locator("#result_list")).to_contain_text("加查县院设置")
    expect(page.locator("#result_list")).not_to_contain_text("自治区院设置")
    page.screenshot(path=folder / "01-city-admin-settings.png", full_page=True)
    assert_cjk_renders(page)
    page.goto(f"{base}/admin/accounts/pendinggrant/{grant.pk}/confirm/")
    expect(page.locator("#content-main")).to_contain_text("申请人本人不能确认")
    page.screenshot(path=folder / "02-requester-cannot-confirm.png", full_page=True)

    page.context.clear_cookies()
    browser_login(page, base, province_admin)
    page.goto(base + "/admin/accounts/pendinggrant/")
    expect(page.locator("#result_list")).to_contain_text(str(grantee))
    page.get_by_role("link", name="确认授权…").click()
    expect(page.locator("#content-main")).to_contain_text("分管副检察长")
    page.screenshot(path=folder / "03-confirm-grant.png", full_page=True)
    page.get_by_role("button", name="确认授权").click()
    expect(page.locator(".messagelist")).to_contain_text("已确认授权")
    page.screenshot(path=folder / "04-confirmed.png", full_page=True)
    grant.refresh_from_db()
    assert grant.is_active and grant.confirmed_by == province_admin
