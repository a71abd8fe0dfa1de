"""Issue 13, the paper trail as the handler sees it: the 审批表 button, and serving recorded on the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.documents import actions
from jiuzhu.documents.models import IssuedDocument, Kind, ServiceRecord
from jiuzhu.documents.tests.conftest import AMOUNT, handler
from jiuzhu.testing import browser_login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path("/tmp/shots-pa")


def test_serving_the_decision_shows_it_served_in_the_documents_table(world, live_server, page: Page) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    case = world.to("granted", amount=AMOUNT)
    h = handler(world)
    acceptance = actions.issue_document(case, Kind.ACCEPTANCE_NOTICE, acting_user=h)
    browser_login(page, live_server.url, h)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    docs = page.locator("#documents")
    # The route has ended: the 审批表 was made with it, and is offered no more.
    form = IssuedDocument.objects.get(case=case, kind=Kind.APPROVAL_FORM)
    expect(page.locator(f"#document-{form.pk}")).to_contain_text("审批表")
    expect(docs.get_by_role("link", name="制作审批表", exact=True)).to_have_count(0)
    docs.get_by_role("link", name="国家司法救助决定书", exact=True).click()
    page.get_by_role("button", name="确认制作").click()
    decision = IssuedDocument.objects.get(case=case, kind=Kind.GRANT_DECISION)
    row = page.locator(f"#document-{decision.pk}")
    expect(row).to_contain_text("未送达")
    page.screenshot(path=SHOTS / "01-documents-before-service.png", full_page=True)
    # 送达决定书 on the case page: the one record of it is the decision document's.
    page.locator("#next-actions").get_by_role("link", name="送达决定书", exact=True).click()
    page.select_option("#id_method", "direct")
    page.get_by_role("button", name="确认送达决定书", exact=True).click()
    expect(page.locator("#case-status")).to_have_text("已送达")
    expect(row).to_contain_text("已送达")
    expect(row).not_to_contain_text("未送达")
    assert ServiceRecord.objects.get().document_id == decision.pk
    # The acceptance notice, served through its own row, likewise.
    acc_row = page.locator(f"#document-{acceptance.pk}")
    expect(acc_row).to_contain_text("未送达")
    acc_row.get_by_role("link", name="登记送达").click()
    page.select_option("#id_method", "post")
    page.get_by_role("button", name="登记送达").click()
    expect(page.locator(".alert-success")).to_contain_text("已登记受理通知书的送达")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(acc_row).to_contain_text("已送达")
    expect(row).to_contain_text("已送达")
    expect(page.locator("#documents")).not_to_contain_text("未送达")
    page.locator("#documents").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "02-documents-served.png", full_page=True)
    assert_cjk_renders(page)


def test_a_walk_in_accepted_at_the_counter_gets_the_acceptance_notice_served_on_the_spot(world, live_server,
                                                                                         page: Page) -> None:
    """Issue 13: the 受理通知书 was served only through its own 登记送达; accepting with the applicant present
    issues it and records 当场送达 once, on the document, and the closing checklist no longer lists it."""
    from jiuzhu.cases.models import Status
    from jiuzhu.documents.dossier import checklist

    SHOTS.mkdir(parents=True, exist_ok=True)
    case = world.to("applied", channel="walk_in")
    h = handler(world)
    browser_login(page, live_server.url, h)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("#next-actions").get_by_role("link", name="受理", exact=True).click()
    box = page.get_by_label("受理通知书当场送达申请人")
    expect(box).not_to_be_checked()
    box.check()
    page.screenshot(path=SHOTS / "03-accept-serving-the-notice.png", full_page=True)
    page.get_by_role("button", name="确认受理", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已完成：受理")
    expect(page.locator("#case-status")).to_have_text("已受理")
    notice = IssuedDocument.objects.get(case=case, kind=Kind.ACCEPTANCE_NOTICE)
    row = page.locator(f"#document-{notice.pk}")
    expect(row).to_contain_text("已送达")
    expect(row).not_to_contain_text("未送达")
    row.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "04-acceptance-notice-served.png", full_page=True)
    assert_cjk_renders(page)
    service = ServiceRecord.objects.get()
    assert (service.document_id, service.method, service.recipient, service.note) == (
        notice.pk, "direct", case.applicant.name, actions.ON_THE_SPOT)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    served = next(c for c in checklist(case) if c.label == "法律文书送达")
    assert served.ok and "受理通知书" not in served.detail


def test_accepting_without_the_box_issues_nothing_and_the_checklist_lists_a_notice_made_later(world) -> None:
    from jiuzhu.cases import actions as case_actions
    from jiuzhu.documents.dossier import checklist

    case = world.to("applied", channel="walk_in")
    h = handler(world)
    case_actions.accept(case, acting_user=h)
    assert not IssuedDocument.objects.filter(case=case).exists()
    actions.issue_document(case, Kind.ACCEPTANCE_NOTICE, acting_user=h)
    served = next(c for c in checklist(case) if c.label == "法律文书送达")
    assert not served.ok and "受理通知书" in served.detail and not ServiceRecord.objects.exists()
