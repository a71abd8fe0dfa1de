"""The case page's support card and the worklist's support entries read their data through these tags."""

from __future__ import annotations

from typing import Any

from django import template

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability
from jiuzhu.support import queries

register = template.Library()


@register.simple_tag
def case_support(case: Any, user: Any) -> dict[str, Any]:
    """Return referrals with what each partner did, services, visits, the plan, and what USER may do."""
    data = queries.case_support(case)
    data["can_write"] = has_capability(user, Capability.HANDLE_CASES, case.handling_org)
    return data


@register.simple_tag
def support_worklist(user: Any) -> dict[str, Any]:
    """Return the overdue partner feedback and overdue visits of USER's cases (first 20 of each, with counts)."""
    referrals = queries.overdue_referrals(user)
    visits = queries.overdue_visits(user)
    return {"referrals": list(referrals[:20]), "referral_count": referrals.count(),
            "visits": list(visits[:20]), "visit_count": visits.count()}
