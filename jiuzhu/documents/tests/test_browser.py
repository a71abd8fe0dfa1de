"""The document screens in Debian's Chromium: issue, list, correct, record service (screenshots)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.demo.data import DEMO_PASSWORD
from jiuzhu.documents.models import IssuedDocument, Kind, ServiceRecord
from jiuzhu.documents.tests.conftest import AMOUNT, handler
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_it_issues_corrects_and_serves_a_decision_in_the_browser(world, live_server, page: Page,
                                                                 pytestconfig: pytest.Config) -> None:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "documents" / "browser"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    case = world.to("granted", amount=AMOUNT)
    user = handler(world)
    base = live_server.url
    page.goto(base + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.goto(f"{base}/documents/cases/{case.pk}/")
    page.locator("#documents").get_by_role("link", name="国家司法救助决定书").click()
    page.select_option("#id_payment_method", "instalments")
    page.fill("#id_joint_aid", "本案系联合救助，山南市人民检察院出资7,000.00元。")
    page.screenshot(path=folder / "01-issue-form.png", full_page=True)
    page.get_by_role("button", name="确认制作").click()
    doc = IssuedDocument.objects.get(case=case, kind=Kind.GRANT_DECISION)
    page.goto(f"{base}/documents/cases/{case.pk}/")
    expect(page.locator(f"#document-{doc.pk}")).to_contain_text(doc.number)
    page.screenshot(path=folder / "02-list.png", full_page=True)
    assert_cjk_renders(page)
    page.locator(f"#document-{doc.pk}").get_by_role("link", name="更正").click()
    page.fill("#id_reason", "发放方式有误，更正为一次性发放。")
    page.select_option("#id_payment_method", "lump_sum")
    page.screenshot(path=folder / "03-correct-form.png", full_page=True)
    page.get_by_role("button", name="确认更正").click()
    new = IssuedDocument.objects.get(replaces=doc)
    page.goto(f"{base}/documents/cases/{case.pk}/")
    expect(page.locator(f"#document-{doc.pk}")).to_contain_text("已更正作废")
    page.locator(f"#document-{new.pk}").get_by_role("link", name="登记送达").click()
    page.select_option("#id_method", "direct")
    page.screenshot(path=folder / "04-service-form.png", full_page=True)
    page.get_by_role("button", name="登记送达").click()
    assert ServiceRecord.objects.get().document == new
    page.goto(f"{base}/documents/cases/{case.pk}/")
    expect(page.locator(f"#document-{new.pk}")).not_to_contain_text("未送达")
    # Issued once per case: no longer offered.
    expect(page.locator("#documents").get_by_role("link", name="国家司法救助决定书", exact=True)).to_have_count(0)
    page.screenshot(path=folder / "05-list-after.png", full_page=True)


def test_the_admin_refuses_a_hostile_template_in_chinese(world, live_server, page: Page, tmp_path,
                                                         pytestconfig: pytest.Config) -> None:
    """Issue 11, finding 1: the refusal names the offending tag; a city administrator cannot touch the national one."""
    from jiuzhu.documents.tests.test_template_security import EXPLOIT, _docx
    from jiuzhu.testing import browser_login

    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "documents" / "template-admin"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    bad = tmp_path / "恶意模板.docx"
    bad.write_bytes(_docx("告知 " + EXPLOIT % (tmp_path / "pwned")))
    good = tmp_path / "全国模板.docx"
    good.write_bytes(_docx("{{ case_number }}"))
    browser_login(page, live_server.url, world.user("540500", "admin"))
    add = live_server.url + "/admin/documents/documenttemplate/add/"
    page.goto(add)
    page.select_option("#id_kind", Kind.NOTICE)
    page.select_option("#id_org", str(world.orgs["540500"].pk))
    page.set_input_files("#id_upload", str(bad))
    page.locator("input[name=_save]").click()
    expect(page.locator(".errorlist").first).to_contain_text("不允许的模板标签：{{ case_number.__class__ }}")
    page.screenshot(path=folder / "01-hostile-template-refused.png", full_page=True)
    assert_cjk_renders(page)
    page.goto(add)
    page.select_option("#id_kind", Kind.NOTICE)
    page.set_input_files("#id_upload", str(good))
    page.locator("input[name=_save]").click()
    expect(page.locator(".errorlist").first).to_contain_text("全国默认模板只有超级管理员或最上级院的系统管理员")
    page.screenshot(path=folder / "02-national-template-refused.png", full_page=True)
    assert not (tmp_path / "pwned").exists()
