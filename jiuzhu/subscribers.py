"""Who acts on which domain event, in the order they run: the one list (jiuzhu.lib.events).

Read it top to bottom to see every place where one app's step moves another app's rows in the same
transaction. An app announces; the app above it subscribes here; neither imports the other upward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jiuzhu.cases import events as case
from jiuzhu.custody import actions as custody
from jiuzhu.documents import actions as documents
from jiuzhu.documents import dossier
from jiuzhu.funds import actions as funds
from jiuzhu.funds import events as money
from jiuzhu.lib.events import Event
from jiuzhu.support import actions as support

SUBSCRIBERS: dict[type[Event], Sequence[Callable[[Any], object]]] = {
    # A decision or an advance moves money: the funds app commits budgets and plans payments.
    case.GrantDecided: [funds.on_grant_decided],
    case.Refused: [funds.on_refused],
    case.AdvanceApproved: [funds.on_advance_approved],
    # 登记资金到位 on the case page: the funds app checks the money, then takes the case's step.
    case.FundsArrivalReported: [funds.on_funds_arrival_reported],
    # The route's last step (the decision) was taken: the documents app makes the 审批表 with every step,
    # or re-makes one made earlier as a new version (第2版), in the decision's transaction. Listed last
    # among the decision's subscribers, it runs after the money has been committed.
    case.ApprovalRouteCompleted: [documents.on_route_completed],
    # 送达决定书 on the case page is recorded once, on the issued decision document.
    case.DecisionServed: [documents.on_decision_served],
    # Accepted at the counter: the 受理通知书 is issued and its 当场送达 recorded on it.
    case.AcceptanceNoticeServedOnSpot: [documents.on_acceptance_notice_served_on_spot],
    # Follow-up and closing wait until no aid is owed.
    case.CaseClosing: [funds.refuse_while_unpaid],
    # Paid: the follow-up visits are planned from the payment. Closed: the visits not held are dropped.
    case.AidPaid: [support.on_aid_paid],
    case.CaseClosed: [support.on_case_closed],
    # Archiving: the dossier must hold what the archive rules require.
    case.CaseArchiving: [dossier.refuse_incomplete_dossier],
    # A payment to a custodian is the custody sub-ledger's deposit.
    money.CustodianPaymentPaid: [custody.on_custodian_payment_paid],
}
