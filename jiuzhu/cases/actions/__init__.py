"""Every change to an aid case goes through these functions (style.md bullets 10–17).

Each public action checks the acting user's authority in the organisation handling the case,
moves the state through `common._transition()` (compare-and-set, so two people acting at once cannot
both succeed), writes a CaseEvent in the same transaction and updates the case's deadlines. Where a
step moves money, it announces a domain event (cases/events.py) that the funds app subscribes to.

One module per stage; this package is the one public face: `from jiuzhu.cases import actions`.
"""
from jiuzhu.cases.actions.advance import (
    approve_advance,
    complete_formalities,
    refuse_advance,
    request_advance,
)
from jiuzhu.cases.actions.approval import approve_step, return_opinion
from jiuzhu.cases.actions.closing import archive, close, enter_follow_up
from jiuzhu.cases.actions.common import (
    CaseActionError,
    CasePermissionError,
    ConcurrentChange,
    InvalidTransition,
    log_event,
)
from jiuzhu.cases.actions.decision import decide_grant, decide_refuse, decision_served, serve_decision
from jiuzhu.cases.actions.files import add_attachment
from jiuzhu.cases.actions.intake import (
    accept,
    add_party,
    deem_abandoned,
    notify_right,
    raise_clue,
    receive_supplement,
    register_application,
    register_walk_in,
    request_supplement,
    set_groups,
    update_applicant,
)
from jiuzhu.cases.actions.payment import funds_arrived, payment_made, record_funds
from jiuzhu.cases.actions.review import (
    add_record,
    amount_ceiling,
    assign_handler,
    earlier_aid,
    start_review,
    submit_opinion,
)

__all__ = [
    "add_attachment",
    "CaseActionError",
    "InvalidTransition",
    "ConcurrentChange",
    "CasePermissionError",
    "log_event",
    "raise_clue",
    "set_groups",
    "add_party",
    "update_applicant",
    "notify_right",
    "register_application",
    "register_walk_in",
    "request_supplement",
    "receive_supplement",
    "deem_abandoned",
    "accept",
    "start_review",
    "add_record",
    "submit_opinion",
    "amount_ceiling",
    "earlier_aid",
    "assign_handler",
    "approve_step",
    "return_opinion",
    "decide_grant",
    "decide_refuse",
    "serve_decision",
    "decision_served",
    "record_funds",
    "funds_arrived",
    "payment_made",
    "enter_follow_up",
    "close",
    "archive",
    "request_advance",
    "approve_advance",
    "refuse_advance",
    "complete_formalities",
]
