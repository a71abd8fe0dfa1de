"""Finance screens: scoping, read-only upper procuratorates, downloads and bad input."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, LedgerEntry, Payment, StatementImport
from jiuzhu.funds.tests.helpers import ACCOUNT, fund, scheduled
from jiuzhu.lib import clock


def test_it_shows_the_budget_to_its_finance_staff_and_records_an_allocation(world, client) -> None:
    b = fund(world, budget="100000", allocated="0")
    client.force_login(world.user("540528", "finance"))
    html = client.get(f"/funds/540528/{b.fiscal_year}/").content.decode()
    assert "加查县人民检察院" in html and "资金台账" in html and "登记财政核拨" in html
    response = client.post(f"/funds/540528/{b.fiscal_year}/allocation/", {"amount": "30000", "document_number": "核1"},
                           follow=True)
    assert "已登记财政核拨" in response.content.decode()
    bad = client.post(f"/funds/540528/{b.fiscal_year}/allocation/", {"amount": "9999999", "document_number": "核2"},
                      follow=True)
    assert "财政追加" in bad.content.decode()
    assert Budget.objects.get().allocated == 30000


def test_it_lets_the_city_read_a_county_budget_but_not_change_it(world, client) -> None:
    b = fund(world)
    client.force_login(world.user("540500", "finance"))
    html = client.get(f"/funds/540528/{b.fiscal_year}/").content.decode()
    assert "资金台账" in html and "登记财政核拨" not in html
    assert client.post(f"/funds/540528/{b.fiscal_year}/allocation/",
                       {"amount": "1", "document_number": "x"}).status_code == 403
    assert client.post("/funds/540528/orders.xlsx").status_code == 403


@pytest.mark.parametrize("url", ["/funds/540528/{year}/", "/funds/540528/{year}/export.xlsx",
                                 "/funds/540528/statements/", "/funds/cases/{case}/"])
def test_it_answers_404_to_another_county(world, client, url) -> None:
    b = fund(world)
    [p] = scheduled(world)
    client.force_login(world.user("540527", "finance"))
    assert client.get(url.format(year=b.fiscal_year, case=p.case_id)).status_code == 404
    for op in ("pay", "return", "reissue"):
        assert client.post(f"/funds/payments/{p.pk}/{op}/", {"bank_reference": "X", "reason": "x"}).status_code == 404
    assert Payment.objects.get().status == "scheduled"


def test_it_pays_from_the_case_panel_and_refuses_the_read_only_city(world, client) -> None:
    fund(world)
    [p] = scheduled(world)
    client.force_login(world.user("540500", "finance"))
    assert client.get(f"/funds/cases/{p.case_id}/").status_code == 200
    assert client.post(f"/funds/payments/{p.pk}/pay/", {"bank_reference": "B1"}).status_code == 403
    client.force_login(world.user("540528", "finance"))
    html = client.get(f"/funds/cases/{p.case_id}/").content.decode()
    assert p.reference in html and p.account_masked in html and ACCOUNT not in html and "登记支付" in html
    response = client.post(f"/funds/payments/{p.pk}/pay/", {"bank_reference": "B1"}, follow=True)
    assert "已登记支付" in response.content.decode()
    client.post(f"/funds/payments/{p.pk}/pay/", {"bank_reference": "B1"})
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


def test_it_schedules_from_the_case_panel_with_chinese_errors(world, client) -> None:
    from decimal import Decimal

    from jiuzhu.funds import actions

    fund(world)
    case = world.to("granted", amount="8000")
    actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"))
    client.force_login(world.user("540528", "kongshen"))
    data = {"plan": "5000 2030-01-01\n", "payee_kind": "applicant", "payee_name": "甲", "bank_name": "农行",
            "account": ACCOUNT}
    assert "不一致" in client.post(f"/funds/cases/{case.pk}/schedule/", data, follow=True).content.decode()
    assert "第1行" in client.post(f"/funds/cases/{case.pk}/schedule/", {**data, "plan": "五千"},
                                  follow=True).content.decode()
    data["plan"] = "5000 2030-01-01\n3000 2030-02-01"
    assert "已制定发放计划" in client.post(f"/funds/cases/{case.pk}/schedule/", data, follow=True).content.decode()
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal(5000), Decimal(3000)]


def test_it_downloads_the_payment_order_list_and_the_budget_export(world, client) -> None:
    b = fund(world)
    scheduled(world, plan=["7000", "5000"])
    client.force_login(world.user("540528", "finance"))
    response = client.post("/funds/540528/orders.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    head = rows.index(tuple(actions.ORDER_HEADERS))
    assert rows[head + 1][5] == ACCOUNT and rows[head + 3][0] == "合计"  # two payments, then the total
    export = client.get(f"/funds/540528/{b.fiscal_year}/export.xlsx")
    wb = load_workbook(io.BytesIO(export.content))
    # header + appropriation, allocation, the decision's commitment, its release and the re-commitment
    assert wb["预算执行"]["C2"].value == 100000 and wb["资金台账"].max_row == 6


def test_it_refuses_a_bad_statement_upload_in_chinese(world, client) -> None:
    fund(world)
    client.force_login(world.user("540528", "finance"))
    f = io.BytesIO("金额,日期\n1,2024-01-01\n".encode())
    f.name = "s.csv"
    response = client.post("/funds/540528/statements/", {"file": f})
    assert response.status_code == 400 and "缺少列" in response.content.decode()
    assert not StatementImport.objects.exists()
    ok = io.BytesIO(f"交易流水号,金额,日期\nZZ1,5,{clock.today()}\n".encode())
    ok.name = "s.csv"
    html = client.post("/funds/540528/statements/", {"file": ok}, follow=True).content.decode()
    assert "匹配 0 条" in html and "ZZ1" in html


def test_it_lists_payments_due_for_finance_staff(world, client) -> None:
    fund(world)
    [p] = scheduled(world)
    client.force_login(world.user("540528", "finance"))
    assert p.reference in client.get("/funds/").content.decode()
    client.force_login(world.user("540528", "kongshen"))
    assert client.get("/funds/").status_code == 403
