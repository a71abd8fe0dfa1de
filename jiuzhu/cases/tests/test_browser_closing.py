"""In Chromium: closing shows a checklist (unserved documents, money, referrals, visits), money still owed blocks
it, and archiving needs what the archive rules require (the decision made and every document served)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.cases.models import AidCase, Status
from jiuzhu.documents.actions import issue_document, record_service
from jiuzhu.documents.models import IssuedDocument
from jiuzhu.funds import actions as funds
from jiuzhu.funds.models import Payment
from jiuzhu.lib import clock
from jiuzhu.support.models import Visit
from jiuzhu.support.tests.helpers import agency, refer
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-pb")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000}}


def _check(page: Page, label: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#closing-checklist li[data-check='{label}']")


def test_it_checks_before_closing_and_archiving(page: Page, live_server, world) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    h = world.user("540528", "kongshen")
    case = world.to("paid", amount="9000")
    decision = issue_document(case, "grant_decision", acting_user=h)  # made, not served
    refer(world, case, agency(world, "540528"))  # the 教育局 has not answered

    _login(page, base, h)
    page.goto(f"{base}/cases/{case.pk}/close/")
    expect(_check(page, "法律文书送达")).to_contain_text("未送达：国家司法救助决定书")
    expect(_check(page, "转介反馈")).to_contain_text("尚未反馈：加查县教育局")
    expect(_check(page, "回访")).to_contain_text("尚未回访：发放后第1个月")
    expect(_check(page, "救助金发放")).to_have_attribute("data-ok", "1")
    expect(_check(page, "转介反馈")).to_contain_text("提示")
    page.screenshot(path=SHOTS / "closing-01-checklist.png", full_page=True)

    # Money still owed (the bank returned the payment) blocks closing, in Chinese, and changes nothing.
    owed = world.to("paid", amount="5000")
    funds.mark_returned(Payment.objects.get(case=owed, status="paid"), acting_user=world.user("540528", "finance"),
                        reason="账户已注销")
    page.goto(f"{base}/cases/{owed.pk}/close/")
    expect(_check(page, "救助金发放")).to_contain_text("尚有 5,000.00 元救助金未发放")
    expect(_check(page, "救助金发放")).to_contain_text("须先处理")
    page.fill("#id_summary", "办结。")
    page.get_by_role("button", name="确认结案").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("尚有 5,000.00 元救助金未发放，不能结案")
    page.screenshot(path=SHOTS / "closing-02-money-blocks.png", full_page=True)
    owed.refresh_from_db()
    assert owed.status == Status.PAID

    # The warnings do not block: the case closes, and the visits not held are dropped.
    page.goto(f"{base}/cases/{case.pk}/close/")
    page.fill("#id_summary", "救助金已发放，案件办结。")
    page.get_by_role("button", name="确认结案").click()
    page.wait_for_load_state()
    expect(page.locator("#case-status")).to_have_text("结案")
    assert not Visit.objects.filter(case=case, held_on__isnull=True).exists()

    # Archiving: the unserved decision blocks it.
    page.goto(f"{base}/cases/{case.pk}/archive/")
    expect(_check(page, "法律文书送达")).to_contain_text("须先处理")
    page.fill("#id_archive_number", "540528-2026-归099")
    page.get_by_role("button", name="确认归档").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("卷宗不完整，不能归档")
    page.screenshot(path=SHOTS / "closing-03-archive-refused.png", full_page=True)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and not case.archive_number

    # Served: the dossier is complete and the case is archived.
    record_service(decision, acting_user=h, method="direct", served_on=clock.today(), recipient="本人")
    page.goto(f"{base}/cases/{case.pk}/archive/")
    expect(_check(page, "法律文书送达")).to_have_attribute("data-ok", "1")
    expect(_check(page, "决定书入卷")).to_have_attribute("data-ok", "1")
    page.screenshot(path=SHOTS / "closing-04-archive-ready.png", full_page=True)
    page.fill("#id_archive_number", "540528-2026-归099")
    page.get_by_role("button", name="确认归档").click()
    page.wait_for_load_state()
    expect(page.locator("#case-status")).to_have_text("归档")
    assert AidCase.objects.get(pk=case.pk).archive_number == "540528-2026-归099"
    assert IssuedDocument.objects.filter(case=case, services__isnull=False).exists()
    assert_cjk_renders(page, page.evaluate("getComputedStyle(document.body).fontFamily"))


def test_it_refuses_to_archive_a_decided_case_without_its_decision(world) -> None:
    from jiuzhu.cases import actions
    from jiuzhu.cases.actions import CaseActionError

    case = world.to("closed")
    with pytest.raises(CaseActionError, match="尚未制作国家司法救助决定书"):
        actions.archive(case, acting_user=world.user("540528", "kongshen"), archive_number="A-2")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
