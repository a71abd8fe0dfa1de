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
    """Return the overdue partner feedback, the overdue visits and the open cases of priority groups of USER's
    cases: the first 20 (10) of each, each list counted up to queries.PANEL_CAP (`*_more`: there are more)."""
    from jiuzhu.accounts.access import memberships_of
    from jiuzhu.orgs.policy import get_setting

    referrals = queries.first_and_count(queries.overdue_referrals(user), 20)
    visits = queries.first_and_count(queries.overdue_visits(user), 20)
    ms = memberships_of(user)
    groups = get_setting(ms[0].org, "support.priority_groups") if ms else []
    priority = queries.first_and_count(queries.priority_cases(user, groups), 10)
    for c in priority.rows:
        c.priority_group = groups[c.priority]  # the group that ranks it (no per-row query for its tags)
    return {"referrals": referrals.rows, "referral_count": referrals.count, "referral_more": referrals.more,
            "visits": visits.rows, "visit_count": visits.count, "visit_more": visits.more,
            "priority": priority.rows, "priority_count": priority.count, "priority_more": priority.more}


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
