"""The case page's payments panel reads its data through this tag (context: case, user)."""

from __future__ import annotations

from typing import Any

from django import template

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability
from jiuzhu.funds import forms, queries

register = template.Library()


@register.simple_tag
def case_funds(case: Any, user: Any, schedule_form: Any = None) -> dict[str, Any]:
    """Return the panel's contributions, payments, what USER may do and the forms (SCHEDULE_FORM: the plan
    just posted with its errors, kept as typed; else one pre-filled from the decision and the applicant)."""
    contributions, payments = queries.case_funds(case)
    pay_orgs = {p.budget.org_id for p in payments if has_capability(user, Capability.FINANCE, p.budget.org)}
    return {
        "contributions": contributions, "payments": payments, "pay_orgs": pay_orgs,
        "can_schedule": bool(contributions)
        and not any(p.status != "cancelled" and not p.is_advance for p in payments) and (
            has_capability(user, Capability.HANDLE_CASES, case.handling_org)
            or has_capability(user, Capability.FINANCE, case.handling_org)),
        "advance": next((p for p in payments if p.is_advance and p.status != "cancelled"), None),
        "payable": _payable(case, payments),
        "schedule_form": schedule_form or forms.ScheduleForm.for_case(case, _payable(case, payments)),
        "pay_form": forms.PayForm(), "return_form": forms.ReturnForm(), "reissue_form": forms.ReissueForm(),
    }


def _payable(case: Any, payments: list[Any]) -> Any:
    """What the payment plan must add up to: the decided amount less the advance (instalment 0)."""
    if not case.decided_amount:
        return ""
    if case.advance_amount and any(p.is_advance for p in payments):
        return case.decided_amount - case.advance_amount
    return case.decided_amount
