"""Decision and service: grant or refuse at the route's last step (announced to the money), serving it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from jiuzhu.accounts.models import User
from jiuzhu.cases import deadlines
from jiuzhu.cases.actions.approval import _final_step, _meeting_before_decision, _take_step, check_route_order
from jiuzhu.cases.actions.common import (
    CaseActionError,
    _lock,
    _on,
    _transition,
)
from jiuzhu.cases.actions.review import amount_ceiling, earlier_aid
from jiuzhu.cases.events import ApprovalRouteCompleted, DecisionServed, GrantDecided, Refused
from jiuzhu.cases.models import (
    AidCase,
    ApprovalStep,
    Deadline,
    ReviewOpinion,
    Status,
)
from jiuzhu.lib import events
from jiuzhu.orgs.models import Organisation


@transaction.atomic(durable=True)
def decide_grant(case: AidCase, *, acting_user: User, amount: Decimal, reasons: str, on: dt.date | None = None,
                 meeting: dict[str, Any] | None = None, duplicate_override: str = "",
                 contributions: list[tuple[Organisation, Decimal]] | None = None) -> AidCase:
    """Decide to grant aid of AMOUNT yuan: the last step of the approval route."""
    case = _lock(case, "decide_grant", acting_user)
    step = _final_step(case, acting_user, meeting)
    opinion = step.opinion
    day = _on(on, not_before=case.accepted_on, what="决定日期", not_before_what="受理日期")
    _meeting_before_decision(meeting if step.role == ApprovalStep.COLLECTIVE else None, day)
    check_route_order(case, step, ("决定日期", day))
    if amount is None or amount <= 0:
        raise CaseActionError("救助金额必须大于零。")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CaseActionError("救助金额最多保留两位小数。")
    if opinion.recommendation != ReviewOpinion.Recommendation.GRANT:
        raise CaseActionError("审查意见为不予救助；如拟救助，请退回承办人重新提出审查意见。")
    if case.advance_amount and amount < case.advance_amount:
        raise CaseActionError(f"决定金额不能少于已先行发放的{case.advance_amount}元（多发部分应予追回）。")
    cap = amount_ceiling(case, day)
    if amount > cap and not opinion.over_cap:
        raise CaseActionError(f"决定金额超过救助限额{cap:,.2f}元，须由承办人提出突破限额的审查意见并按规定报批。")
    blocking = [h for h in earlier_aid(case) if h["blocking"]]
    if blocking and not duplicate_override.strip():
        listed = "；".join(f"{h['org']}{h['number']}（{h['status']}）" for h in blocking)
        raise CaseActionError(f"同一申请人在同一案件中已获救助或正在申请：{listed}。一案一人只能救助一次；"
                              "确需救助的，请写明理由后由审批人决定。")
    _take_step(case, step, acting_user, reasons, meeting)
    _transition(case, "decide_grant", Status.GRANTED, acting_user=acting_user, note=reasons,
                fields={"decision": AidCase.Decision.GRANT, "decided_on": day, "decided_amount": amount,
                        "decision_reasons": reasons, "decided_by": acting_user, "awaiting_role": ""},
                amount=amount, on=day, step=step.label,
                duplicate_override=duplicate_override.strip(), duplicates=[h["number"] for h in blocking])
    deadlines.complete(case, Deadline.Kind.DECISION, day)
    # The decision commits the money: contribution lines charged to each procuratorate's budget of the
    # decision's year (the handling procuratorate alone unless it is joint aid). The funds app does it.
    events.publish(GrantDecided(case=case, acting_user=acting_user, contributions=contributions))
    events.publish(ApprovalRouteCompleted(case=case, acting_user=acting_user))  # the 审批表 (documents)
    return case



@transaction.atomic(durable=True)
def decide_refuse(case: AidCase, *, acting_user: User, reasons: str, grounds: list[str] | None = None,
                  on: dt.date | None = None, meeting: dict[str, Any] | None = None) -> AidCase:
    """Decide not to grant aid, with the reasons explained to the applicant: the route's last step."""
    case = _lock(case, "decide_refuse", acting_user)
    step = _final_step(case, acting_user, meeting)
    day = _on(on, not_before=case.accepted_on, what="决定日期", not_before_what="受理日期")
    _meeting_before_decision(meeting if step.role == ApprovalStep.COLLECTIVE else None, day)
    check_route_order(case, step, ("决定日期", day))
    if not reasons.strip():
        raise CaseActionError("不予救助须写明理由，以便向申请人解释说明。")
    _take_step(case, step, acting_user, reasons, meeting)
    _transition(case, "decide_refuse", Status.REFUSED, acting_user=acting_user, note=reasons,
                fields={"decision": AidCase.Decision.REFUSE, "decided_on": day, "decision_reasons": reasons,
                        "decided_by": acting_user, "refusal_grounds": sorted(grounds or []), "awaiting_role": ""},
                grounds=grounds or [], on=day, step=step.label)
    deadlines.complete(case, Deadline.Kind.DECISION, day)
    # Advance aid: the unpaid part is cancelled and its commitment released; what was paid is recovered.
    events.publish(Refused(case=case, acting_user=acting_user, on=day, reasons=reasons))
    events.publish(ApprovalRouteCompleted(case=case, acting_user=acting_user))  # the 审批表 (documents)
    return case



@transaction.atomic(durable=True)
def serve_decision(case: AidCase, *, acting_user: User, method: str, recipient: str, on: dt.date | None = None,
                   note: str = "", relationship: str = "") -> AidCase:
    """Record delivery of the decision to the applicant (in person, by procuratorial post…).

    The service itself is recorded once, on the issued decision document (the documents app subscribes to
    DecisionServed); the case's 已送达 follows from it."""
    case, day = _serve(case, acting_user=acting_user, on=on, recipient=recipient, method=method, note=note)
    events.publish(DecisionServed(case=case, acting_user=acting_user, method=method, recipient=recipient.strip(),
                                  relationship=relationship.strip(), on=day, note=note))
    return case


def decision_served(case: AidCase, *, acting_user: User, method: str, recipient: str, on: dt.date,
                    note: str = "") -> AidCase:
    """The case's step when the service of its decision was recorded on the document (inside that
    transaction): the case becomes 已送达, nothing else is recorded."""
    if not transaction.get_connection().in_atomic_block:
        raise CaseActionError("decision_served must run inside the service's transaction")
    return _serve(case, acting_user=acting_user, on=on, recipient=recipient, method=method, note=note)[0]


def _serve(case: AidCase, *, acting_user: User, on: dt.date | None, recipient: str, method: str,
           note: str) -> tuple[AidCase, dt.date]:
    case = _lock(case, "serve_decision", acting_user)
    day = _on(on, not_before=case.decided_on, what="送达日期", not_before_what="决定日期")
    if not recipient.strip():
        raise CaseActionError("请填写签收人。")
    _transition(case, "serve_decision", Status.SERVED, acting_user=acting_user, note=note,
                fields={"served_on": day}, method=method, recipient=recipient, on=day)
    return case, day
