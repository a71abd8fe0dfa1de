"""The annual budget: the year's figure, supplements (追加) and the fiscal allocations (财政核拨)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from jiuzhu.accounts.models import Capability, User
from jiuzhu.funds.actions.common import (
    FundsError,
    K,
    _amount,
    _day,
    _locked_budget,
    _move,
    _require,
)
from jiuzhu.funds.models import (
    Budget,
)
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation


@transaction.atomic(durable=True)
def set_budget(org: Organisation, year: int, *, acting_user: User, amount: Decimal, document_number: str = "",
               note: str = "") -> Budget:
    """Record the year's aid budget line (年初预算); once per year, later changes are supplements."""
    _require(acting_user, org, Capability.FINANCE, what="登记救助资金预算")
    amount = _amount(amount, "年初预算")
    budget = _locked_budget(org, year)
    if budget.appropriated > 0:
        raise FundsError(f"{year}年度年初预算已登记为{budget.appropriated:,.2f}元；调整请登记追加预算。")
    _move(budget, K.APPROPRIATION, amount, acting_user=acting_user, on=clock.today(),
          document_number=document_number, note=note)
    return budget



@transaction.atomic(durable=True)
def add_supplement(org: Organisation, year: int, *, acting_user: User, amount: Decimal, document_number: str = "",
                   on: dt.date | None = None, note: str = "") -> Budget:
    """Record a supplement to the year's aid budget (追加), e.g. granted on a 财政追加申请."""
    _require(acting_user, org, Capability.FINANCE, what="登记追加预算")
    amount = _amount(amount, "追加金额")
    budget = _locked_budget(org, year)
    _move(budget, K.SUPPLEMENT, amount, acting_user=acting_user, on=_day(on), document_number=document_number,
          note=note)
    return budget



@transaction.atomic(durable=True)
def record_allocation(org: Organisation, year: int, *, acting_user: User, amount: Decimal, document_number: str,
                      on: dt.date | None = None, note: str = "") -> Budget:
    """Record money allocated by the finance bureau (财政核拨), with its document number and date."""
    _require(acting_user, org, Capability.FINANCE, what="登记财政核拨")
    amount = _amount(amount, "核拨金额")
    if not document_number.strip():
        raise FundsError("请填写财政核拨文号。")
    budget = _locked_budget(org, year)
    _move(budget, K.ALLOCATION, amount, acting_user=acting_user, on=_day(on, "核拨日期"),
          document_number=document_number.strip(), note=note)
    return budget
