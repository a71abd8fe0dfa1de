"""Every write to aid funds goes through these functions (style.md bullets 9, 10–17, 26).

Each public action is durable-atomic, checks the acting user's authority itself, locks the rows it
changes (`select_for_update`) and writes the Budget running totals and the LedgerEntry rows in the
same transaction. The money invariants are database constraints (models.py); an IntegrityError from
them becomes a Chinese FundsError and the whole action is rolled back. The `on_*` functions are the
subscribers of the case's events (jiuzhu/subscribers.py).

One module per stage; this package is the one public face: `from jiuzhu.funds import actions`.
"""
from jiuzhu.funds.actions.advance import (
    commit_advance,
    on_advance_approved,
    on_refused,
    settle_advance_on_refusal,
)
from jiuzhu.funds.actions.bank import (
    ORDER_HEADER_ROW,
    ORDER_HEADERS,
    STATEMENT_HEADERS,
    import_statement,
    parse_statement,
    payment_order_workbook,
    resolve_line,
)
from jiuzhu.funds.actions.budgets import add_supplement, record_allocation, set_budget
from jiuzhu.funds.actions.commitments import commit_contributions, commit_for_decision, on_grant_decided
from jiuzhu.funds.actions.common import CommitResult, FundsError, FundsPermissionError, advance_committed
from jiuzhu.funds.actions.payments import (
    mark_returned,
    on_funds_arrival_reported,
    pay,
    record_funds_arrival,
    refuse_while_unpaid,
    reissue,
    schedule_payments,
)
from jiuzhu.funds.actions.recovery import (
    add_liability_note,
    open_recovery,
    record_recovery_receipt,
    transfer_to_treasury,
)

__all__ = [
    "FundsError",
    "FundsPermissionError",
    "CommitResult",
    "advance_committed",
    "set_budget",
    "add_supplement",
    "record_allocation",
    "commit_for_decision",
    "commit_contributions",
    "on_grant_decided",
    "commit_advance",
    "on_advance_approved",
    "on_refused",
    "settle_advance_on_refusal",
    "record_funds_arrival",
    "on_funds_arrival_reported",
    "refuse_while_unpaid",
    "schedule_payments",
    "pay",
    "mark_returned",
    "reissue",
    "payment_order_workbook",
    "parse_statement",
    "import_statement",
    "resolve_line",
    "ORDER_HEADERS",
    "ORDER_HEADER_ROW",
    "STATEMENT_HEADERS",
    "open_recovery",
    "record_recovery_receipt",
    "transfer_to_treasury",
    "add_liability_note",
]
