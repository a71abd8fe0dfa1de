"""The events a case announces to the apps that hang off it (published through jiuzhu.lib.events).

Money hangs off a case: `funds` subscribes to these and moves the money in the same transaction;
`cases` never imports `funds`. The subscribers are listed in jiuzhu/subscribers.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from jiuzhu.lib.events import Event

if TYPE_CHECKING:
    from jiuzhu.accounts.models import User
    from jiuzhu.cases.models import AidCase
    from jiuzhu.orgs.models import Organisation


@dataclass(frozen=True)
class GrantDecided(Event):
    """Aid was granted: commit the contributors' budgets (joint aid: CONTRIBUTIONS; None: the handling
    procuratorate pays it all)."""

    case: AidCase
    acting_user: User
    contributions: list[tuple[Organisation, Decimal]] | None


@dataclass(frozen=True)
class Refused(Event):
    """Aid was refused: settle any advance aid (cancel the unpaid part, recover what was paid)."""

    case: AidCase
    acting_user: User
    on: dt.date
    reasons: str


@dataclass(frozen=True)
class ApprovalRouteCompleted(Event):
    """The opinion's approval route has ended: its last step was taken with the decision (grant or refuse).
    The documents app makes the 审批表 carrying every step (or re-makes it as a new version)."""

    case: AidCase
    acting_user: User


@dataclass(frozen=True)
class AdvanceApproved(Event):
    """Advance aid was approved: commit it on the budget and plan its payment to the payee."""

    case: AidCase
    acting_user: User
    amount: Decimal
    on: dt.date
    payee_kind: str
    payee_name: str
    bank_name: str
    account: str


@dataclass(frozen=True)
class FundsArrivalReported(Event):
    """Someone reports the money at hand (登记资金到位): the money's checks and the step are the funds app's."""

    case: AidCase
    acting_user: User
    on: dt.date | None
    note: str


@dataclass(frozen=True)
class AcceptanceNoticeServedOnSpot(Event):
    """Accepted at the counter with the applicant present (受理时当场送达): the documents app issues the
    受理通知书 and records its service on it, the one record of serving, so the closing checklist no longer
    lists it."""

    case: AidCase
    acting_user: User
    on: dt.date


@dataclass(frozen=True)
class DecisionServed(Event):
    """The decision reached the applicant (送达决定书 on the case page): the documents app records the
    service on the issued decision document, the one record of serving. RECIPIENT is whoever signed;
    RELATIONSHIP is theirs to the applicant when someone signed on the applicant's behalf."""

    case: AidCase
    acting_user: User
    method: str
    recipient: str
    relationship: str
    on: dt.date
    note: str


@dataclass(frozen=True)
class CaseClosing(Event):
    """The case is about to leave the money stage (follow-up, closing): a subscriber refuses while aid is
    owed. WHAT names the step for the message (开始回访, 结案)."""

    case: AidCase
    what: str


@dataclass(frozen=True)
class AidPaid(Event):
    """The bank paid the aid and the case moved to 已发放: the support app plans the follow-up visits."""

    case: AidCase


@dataclass(frozen=True)
class CaseClosed(Event):
    """The case was closed (结案) on ON: the support app drops the visits planned and not held (the closing
    checklist showed them first)."""

    case: AidCase
    on: dt.date
    acting_user: User


@dataclass(frozen=True)
class CaseArchiving(Event):
    """The case's dossier is about to be filed (归档): a subscriber refuses while it lacks what the archive
    rules require (documents.dossier)."""

    case: AidCase
