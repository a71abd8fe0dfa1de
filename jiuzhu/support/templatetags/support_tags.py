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
    from jiuzhu.accounts.access import memberships_of
    from jiuzhu.orgs.policy import get_setting

    referrals = queries.overdue_referrals(user)
    visits = queries.overdue_visits(user)
    ms = memberships_of(user)
    groups = get_setting(ms[0].org, "support.priority_groups") if ms else []
    priority = queries.priority_cases(user, groups)
    top = list(priority[:10])
    for c in top:
        c.priority_group = groups[c.priority]  # the group that ranks it (no per-row query for its tags)
    return {"referrals": list(referrals[:20]), "referral_count": referrals.count(),
            "visits": list(visits[:20]), "visit_count": visits.count(),
            "priority": top, "priority_count": priority.count()}


@register.filter
def subtype_name(tag: Any) -> str:
    """The name of a CaseGroup's subtype (rules/eligibility.py), or ""."""
    from jiuzhu.support.actions import subtype_label

    return subtype_label(tag.group, tag.subtype)


@register.simple_tag
def subtype_choices(case: Any) -> list[tuple[Any, list[tuple[str, str]]]]:
    """For each of CASE's (prefetched) groups that has subtypes: the tag and its choices."""
    from jiuzhu.rules.eligibility import KEY_GROUPS

    return [(g, [(s.code, s.name) for s in KEY_GROUPS[g.group].subtypes]) for g in case.groups.all()
            if g.group in KEY_GROUPS and KEY_GROUPS[g.group].subtypes]
