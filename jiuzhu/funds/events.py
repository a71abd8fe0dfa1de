"""The events the funds app announces to the apps that hang off a payment (custody)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jiuzhu.lib.events import Event

if TYPE_CHECKING:
    from jiuzhu.accounts.models import User
    from jiuzhu.funds.models import Payment


@dataclass(frozen=True)
class CustodianPaymentPaid(Event):
    """A payment whose payee is a custodian was paid: the custody sub-ledger records the deposit."""

    payment: Payment
    acting_user: User
