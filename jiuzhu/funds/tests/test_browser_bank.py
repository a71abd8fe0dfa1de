"""In Chromium: the bank payment order list, a statement import with what it cannot match, a recovery."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from jiuzhu.funds import actions
from jiuzhu.funds.models import Payment, Recovery
from jiuzhu.funds.tests.helpers import fund, scheduled
from jiuzhu.lib import clock
from jiuzhu.testing import browser_login as _login
from jiuzhu.tests_smoke.cjk import assert_cjk_renders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1400, "height": 1000},
            "accept_downloads": True}


def _folder(pytestconfig: Any) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "funds-bank"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_it_orders_payments_from_the_bank_and_matches_the_statement(page: Page, live_server, world,
                                                                      pytestconfig) -> None:
    folder = _folder(pytestconfig)
    for f in folder.glob("0*.png"):
        f.unlink()
    fund(world, budget="200000", allocated="100000")
    p1 = scheduled(world, amount="12000")[0]
    p2 = scheduled(world, amount="8000.50")[0]
    base, year = live_server.url, clock.today().year
    _login(page, base, world.user("540528", "finance"))
    page.goto(f"{base}/funds/540528/{year}/")
    expect(page.locator("#orders")).to_contain_text(p1.reference)
    page.screenshot(path=folder / "01-order-list.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载银行付款清单（Excel）").click()
    assert download.value.suggested_filename.startswith("jiuzhu-payment-orders-540528")
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    head = actions.ORDER_HEADER_ROW
    assert [r[1] for r in ws.iter_rows(min_row=head + 1, values_only=True)][:2] == [p1.reference, p2.reference]
    assert ws["A1"].value == "国家司法救助金银行代发清单"
    assert {Payment.objects.get(pk=p.pk).status for p in (p1, p2)} == {"ordered"}

    page.goto(f"{base}/funds/540528/statements/")
    csv = ("交易流水号,金额,日期,收款账号,收款人\n"
           f"ABC-1,12000.00,{clock.today()},6222020200112233445,申请人\n"
           f"ABC-2,8000.50,{clock.today()},6222020200112233445,申请人\n"
           f"ABC-3,777.00,{clock.today()},6222000000000009999,不明收款人\n")
    page.set_input_files("#id_file", files=[{"name": "对账单.csv", "mimeType": "text/csv",
                                             "buffer": csv.encode("utf-8")}])
    page.get_by_role("button", name="导入并匹配").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("已导入 3 条流水，匹配 2 条")
    expect(page.locator("#unmatched")).to_contain_text("ABC-3")
    expect(page.locator("#unmatched")).to_contain_text("未找到对应付款")
    page.screenshot(path=folder / "02-statement-imported.png", full_page=True)
    assert {Payment.objects.get(pk=p.pk).status for p in (p1, p2)} == {"paid"}
    row = page.locator("#unmatched tr", has_text="ABC-3")
    row.locator("input[name=note]").fill("系退回的其他款项，已与银行核实。")
    row.get_by_role("button", name="已处理").click()
    page.wait_for_load_state()
    expect(page.locator("#unmatched")).to_contain_text("没有未匹配的流水")
    assert_cjk_renders(page, page.evaluate("getComputedStyle(document.body).fontFamily"))


def test_it_recovers_aid_on_the_recovery_screen(page: Page, live_server, world, pytestconfig) -> None:
    folder = _folder(pytestconfig)
    for f in folder.glob("1*.png"):
        f.unlink()
    case = world.to("paid", amount="10000")
    base = live_server.url
    _login(page, base, world.user("540528", "kongshen"))
    page.goto(f"{base}/funds/cases/{case.pk}/recovery/")
    page.select_option("#id_ground", "fraud")
    page.fill("#id_facts", "申请人伪造医疗费用票据，骗取救助金。")
    page.fill("#id_amount_due", "10000")
    page.fill("#id_document_number", "加检追〔2026〕1号")
    page.get_by_role("button", name="登记追回").click()
    page.wait_for_load_state()
    expect(page.locator("#recovery")).to_contain_text("追回中")
    page.get_by_role("button", name="退出", exact=True).click()
    _login(page, base, world.user("540528", "finance"))
    page.goto(f"{base}/funds/cases/{case.pk}/recovery/")
    form = page.locator("form[action$='/receipt/']")
    form.locator("input[name=amount]").fill("20000")
    form.get_by_role("button", name="登记收回").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-danger")).to_contain_text("不能超过尚未追回的10,000.00元")
    form = page.locator("form[action$='/receipt/']")
    form.locator("input[name=amount]").fill("6000")
    form.locator("input[name=document_number]").fill("收据0001")
    form.get_by_role("button", name="登记收回").click()
    page.wait_for_load_state()
    form = page.locator("form[action$='/treasury/']")
    form.locator("input[name=amount]").fill("6000")
    form.locator("input[name=document_number]").fill("缴款书2026-001")
    form.get_by_role("button", name="登记上缴").click()
    page.wait_for_load_state()
    expect(page.locator("#entries")).to_contain_text("上缴国库")
    page.screenshot(path=folder / "10-recovery.png", full_page=True)
    r = Recovery.objects.get(case=case)
    assert (r.recovered, r.transferred) == (Decimal(6000), Decimal(6000))
    assert r.budget.recovered == Decimal(6000)
    assert actions  # the screen writes through the same actions the other tests use
