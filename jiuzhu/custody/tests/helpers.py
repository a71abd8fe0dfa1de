"""Set-up shared by the custody tests: a custodian with a staff login and a case entrusted to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiuzhu.custody import actions
from jiuzhu.custody.models import Custodian, EntrustmentAgreement
from jiuzhu.lib import clock

PASSWORD = "Custody@2026"


def custodian(world: Any, code: str = "540528", name: str = "中国农业银行加查县支行", username: str = "cust1") -> Custodian:
    h = world.user(code, "kongshen")
    c = actions.register_custodian(world.orgs[code], acting_user=h, name=name, kind="bank", bank_name="农行加查支行",
                                   account="6228480011112222333")
    actions.add_custodian_staff(c, acting_user=h, username=username, password=PASSWORD, full_name="代管员")
    return c


def entrusted(world: Any, c: Custodian, *, amount: str = "20000", code: str = "540528",
              person: dict | None = None) -> EntrustmentAgreement:
    """A granted case of CODE entrusted to C and paid in full to C's account (the deposit)."""
    case = world.to("awaiting_payment", code, amount=amount, groups=["未成年人"],
                    person=person or world.person(code, age=10))
    a = actions.create_agreement(case, acting_user=world.user(code, "kongshen"), custodian=c, guardian_name="次仁卓玛",
                                 amount=Decimal(amount), purposes="生活、教育", release_schedule="按学期支取",
                                 suspend_conditions="挪作他用时暂停", ends_on=clock.today() + dt.timedelta(days=2000))
    world.pay_in_full(case, payee_kind="custodian", payee_name=c.name)
    a.refresh_from_db()
    return a
