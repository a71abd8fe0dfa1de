"""Shared set-up for the funds tests: budgets and cases built through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiuzhu.funds import actions
from jiuzhu.funds.models import Budget, Payment
from jiuzhu.lib import clock

ACCOUNT = "6222020200112233445"


def fund(world: Any, code: str = "540528", *, budget: str = "100000", allocated: str = "50000") -> Budget:
    """Give CODE this year's budget and an allocation from the finance bureau."""
    fin = world.user(code, "finance")
    year = clock.today().year
    actions.set_budget(world.orgs[code], year, acting_user=fin, amount=Decimal(budget))
    if Decimal(allocated):
        actions.record_allocation(world.orgs[code], year, acting_user=fin, amount=Decimal(allocated),
                                  document_number="山财行〔2024〕1号")
    return Budget.objects.get(org=world.orgs[code], fiscal_year=year)


def scheduled(world: Any, code: str = "540528", *, amount: str = "12000",
              plan: list[str] | None = None) -> list[Payment]:
    """Return the payments of a new granted, committed and scheduled case of CODE."""
    case = world.to("granted", code, amount=amount)
    actions.commit_for_decision(case, acting_user=world.user(code, "kongshen"))
    amounts = plan or [amount]
    return actions.schedule_payments(
        case, acting_user=world.user(code, "kongshen"),
        plan=[(Decimal(a), clock.today() + dt.timedelta(days=30 * i)) for i, a in enumerate(amounts)],
        payee_kind="applicant", payee_name="申请人", bank_name="中国农业银行加查县支行", account=ACCOUNT)
