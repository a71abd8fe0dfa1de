"""The press paragraph's 发放 on cases built through the real actions: only payments that stand count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.funds.models import Payment
from jiuzhu.lib import clock
from jiuzhu.stats import press
from jiuzhu.stats.queries import paid_in_scope

pytestmark = pytest.mark.django_db


def test_it_counts_only_payments_that_stand(world) -> None:
    from jiuzhu.funds import actions as funds

    org = world.orgs["540528"]
    paid_case = world.to("paid", amount="6000")
    world.to("served", amount="4000")  # decided, not paid
    today = clock.today()
    assert paid_in_scope(org, today, today) == (Decimal("6000.00"), Decimal("0.00"))
    assert "决定救助金额1.0万元，已发放0.6万元" in press.paragraph(org, today, today)
    # A payment the bank returned is no longer paid out.
    payment = Payment.objects.get(case=paid_case, status="paid")
    funds.mark_returned(payment, acting_user=world.user("540528", "finance"), reason="账户已注销")
    assert paid_in_scope(org, today, today)[0] == Decimal("0.00")
    assert "决定救助金额1.0万元，尚未发放" in press.paragraph(org, today, today)


@pytest.mark.parametrize(("decided", "paid", "words"), [
    ("848000", "848000", "发放救助金84.8万元"),
    ("158000", "121000", "决定救助金额15.8万元，已发放12.1万元"),
    ("50000", "0", "决定救助金额5.0万元，尚未发放"),
])
def test_it_words_the_money(decided: str, paid: str, words: str) -> None:
    assert press.money_text(Decimal(decided), Decimal(paid)) == words
