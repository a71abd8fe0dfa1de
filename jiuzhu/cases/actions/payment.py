"""The case's steps that follow its money: funds at hand (待发放) and paid (已发放); the money is the funds app's."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import User
from jiuzhu.cases import deadlines
from jiuzhu.cases.actions.common import (
    InvalidTransition,
    _lock,
    _on,
    _transition,
)
from jiuzhu.cases.events import AidPaid, FundsArrivalReported
from jiuzhu.cases.lifecycle import MOVES
from jiuzhu.cases.models import (
    AidCase,
    Deadline,
    Status,
)
from jiuzhu.lib import events


@transaction.atomic(durable=True)
def record_funds(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Record that the aid money is available (登记资金到位): announced to the funds app, which checks the
    money and then takes the step (`funds_arrived`). The case page's button and the demo keep this name.
    """
    events.publish(FundsArrivalReported(case=case, acting_user=acting_user, on=on, note=note))
    case.refresh_from_db()
    return case


@transaction.atomic(savepoint=False)
def funds_arrived(case: AidCase, *, acting_user: User, on: dt.date | None = None, note: str = "") -> AidCase:
    """Move a served grant to 待发放 and start the 2-working-day payment notice clock.

    Called by the funds app (funds.actions.record_funds_arrival) inside its transaction, after it checked the money.
    """
    case = _lock(case, "record_funds", acting_user)
    if case.decision != AidCase.Decision.GRANT:
        raise InvalidTransition("不予救助的案件没有救助金。")
    day = _on(on, not_before=case.decided_on, what="资金到位日期")
    _transition(case, "record_funds", Status.AWAITING_PAYMENT, acting_user=acting_user, note=note,
                fields={"funds_arrived_on": day}, on=day)
    deadlines.start(case, Deadline.Kind.PAYMENT_NOTICE, day)
    return case



@transaction.atomic(savepoint=False)
def payment_made(case: AidCase, *, acting_user: User, on: dt.date, instalments: int,
                 custody: bool = False) -> AidCase:
    """Move a case waiting for payment to 已发放 when the bank paid (funds.actions.pay calls this).

    The money itself (paid_amount, ledger rows) is the funds app's; this only takes the step.
    """
    case.refresh_from_db(from_queryset=AidCase.objects.select_for_update())
    if case.status != Status.AWAITING_PAYMENT:
        return case
    method = AidCase.PaymentMethod.INSTALMENTS if instalments > 1 else AidCase.PaymentMethod.LUMP_SUM
    if custody:
        method = AidCase.PaymentMethod.CUSTODY
    # In joint aid another contributing procuratorate's finance staff may pay first: the step is then the
    # system's consequence of a payment that funds already authorised, not the payer's act in this case.
    if not any(has_capability(acting_user, cap, case.handling_org) for cap in MOVES["record_payment"].capabilities):
        acting_user = None  # type: ignore[assignment]
    _transition(case, "record_payment", Status.PAID, acting_user=acting_user, note="银行已支付。",
                fields={"paid_on": on, "payment_method": case.payment_method or method}, on=on)
    deadlines.complete(case, Deadline.Kind.PAYMENT_NOTICE, on)
    events.publish(AidPaid(case=case))  # the visits are planned from the payment (support)
    return case
