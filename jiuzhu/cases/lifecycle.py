"""The allowed moves of an aid case, held as data (style.md bullet 13).

Every named action lists the states it may start from, the states it may lead to, and the
capabilities that may perform it (in the organisation handling the case). actions._transition()
is the one place that enforces this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.accounts.models import Capability as C
from jiuzhu.cases.models import Status as S


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str]  # empty: the action records something without changing the state
    capabilities: frozenset[str]
    style: str = "primary"  # how the case page shows the button


PRE_DECISION = frozenset({S.CLUE, S.NOTIFIED, S.APPLIED, S.ACCEPTED, S.UNDER_REVIEW})
OPEN = frozenset(set(S) - {S.CLOSED, S.ARCHIVED, S.ABANDONED})
HANDLE = frozenset({C.HANDLE_CASES})


def _m(name: str, label: str, sources: set[str] | frozenset[str], targets: set[str],
       caps: set[str] | frozenset[str] = HANDLE, style: str = "primary") -> Move:
    return Move(name, label, frozenset(sources), frozenset(targets), frozenset(caps), style)


MOVES: dict[str, Move] = {
    m.name: m
    for m in [
        _m("notify_right", "告知申请权利", {S.CLUE}, {S.NOTIFIED}, {C.RAISE_CLUES, C.HANDLE_CASES}),
        _m("register_application", "登记救助申请", {S.CLUE, S.NOTIFIED}, {S.APPLIED}),
        _m("request_supplement", "通知补正材料", {S.APPLIED, S.ACCEPTED, S.UNDER_REVIEW}, {S.AWAITING_SUPPLEMENT},
           style="secondary"),
        _m("receive_supplement", "收到补正材料", {S.AWAITING_SUPPLEMENT}, {S.APPLIED, S.ACCEPTED, S.UNDER_REVIEW}),
        _m("deem_abandoned", "视为放弃申请", {S.AWAITING_SUPPLEMENT}, {S.ABANDONED}, style="danger"),
        _m("accept", "受理", {S.APPLIED}, {S.ACCEPTED}),
        _m("start_review", "开始审查", {S.ACCEPTED}, {S.UNDER_REVIEW}),
        _m("add_record", "录入笔录/走访记录", OPEN - {S.CLUE}, set(), style="secondary"),
        _m("submit_opinion", "提交审查意见", {S.UNDER_REVIEW}, {S.PENDING_APPROVAL}),
        _m("approve_step", "同意（报下一环节）", {S.PENDING_APPROVAL}, set(), {C.APPROVE}, "success"),
        _m("return_opinion", "退回补充审查", {S.PENDING_APPROVAL}, {S.UNDER_REVIEW}, {C.APPROVE}, "secondary"),
        _m("decide_grant", "决定救助", {S.PENDING_APPROVAL}, {S.GRANTED}, {C.APPROVE}, "success"),
        _m("decide_refuse", "决定不予救助", {S.PENDING_APPROVAL}, {S.REFUSED}, {C.APPROVE}, "danger"),
        _m("serve_decision", "送达决定书", {S.GRANTED, S.REFUSED}, {S.SERVED}),
        _m("record_funds", "登记资金到位", {S.SERVED}, {S.AWAITING_PAYMENT}, {C.HANDLE_CASES, C.FINANCE}),
        _m("record_payment", "登记发放救助金", {S.AWAITING_PAYMENT}, {S.PAID}, {C.HANDLE_CASES, C.FINANCE}),
        _m("start_follow_up", "进入回访", {S.PAID}, {S.FOLLOW_UP}),  # by recording the first visit
        _m("close", "结案", {S.SERVED, S.PAID, S.FOLLOW_UP}, {S.CLOSED}),
        _m("archive", "归档", {S.CLOSED, S.ABANDONED}, {S.ARCHIVED}),
        _m("request_advance", "申请先行救助", PRE_DECISION, {S.ADVANCE_REQUESTED}, style="warning"),
        _m("approve_advance", "批准先行救助", {S.ADVANCE_REQUESTED}, {S.ADVANCE_GRANTED}, {C.APPROVE_ADVANCE},
           "warning"),
        _m("refuse_advance", "不批准先行救助", {S.ADVANCE_REQUESTED}, PRE_DECISION, {C.APPROVE_ADVANCE}, "secondary"),
        _m("complete_formalities", "补办救助手续", {S.ADVANCE_GRANTED}, {S.UNDER_REVIEW}),
        _m("assign_handler", "指定承办人", OPEN, set(), {C.APPROVE, C.HANDLE_CASES}, "secondary"),
    ]
}


def moves_from(status: str) -> list[Move]:
    """Return the actions that may start from STATUS, in table order."""
    return [m for m in MOVES.values() if status in m.sources]
