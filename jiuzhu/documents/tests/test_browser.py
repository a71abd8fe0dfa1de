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
