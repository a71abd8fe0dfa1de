"""Approval routes: who approves an aid decision of a given amount (domain.md §5, §6 step 8).

Routes are role codes (accounts.models.Role, plus "collective" for the collective decision) and
read as Chinese labels. Where no ApprovalRule exists, the defaults are UNCONFIRMED local practice:
部门负责人 → 分管副检察长, plus the collective decision from `approval.collective_threshold_yuan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jiuzhu.accounts.models import Role
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_settings
from jiuzhu.rules.models import ApprovalRule
from jiuzhu.rules.validators import COLLECTIVE

DEFAULT_STEPS = ["dept_head", "deputy_chief"]
SETTING_KEYS = ["approval.collective_threshold_yuan", "approval.exceed_cap_steps", "approval.collective_body",
                "approval.step_working_days"]


@dataclass(frozen=True)
class Route:
    """The approval steps for one amount, in order."""

    steps: tuple[str, ...]  # role codes and "collective"
    labels: tuple[str, ...]  # the same steps in Chinese, e.g. ("部门负责人", "分管副检察长")
    rule: ApprovalRule | None  # the rule that chose the base steps; None: the defaults
    exceeds_cap: bool  # the exceed-cap steps were added
    step_working_days: int  # time limit of each step (setting approval.step_working_days)


def merge(steps: list[str]) -> list[str]:
    """Return STEPS without repeats, in first-seen order, with the collective decision (if any) last.

    The collective body decides last: the base route of a large amount ends with it, and the
    exceed-cap steps (检察长, then the collective decision) are merged so that it stays the last step.
    """
    steps = list(dict.fromkeys(steps))
    if COLLECTIVE in steps:
        steps.remove(COLLECTIVE)
        steps.append(COLLECTIVE)
    return steps


def rule_for(org: Organisation, amount: Decimal) -> ApprovalRule | None:
    """Return the rule of the nearest organisation with rules whose min_amount is the greatest ≤ AMOUNT."""
    ids = org.ancestor_ids()
    by_org: dict[int, list[ApprovalRule]] = {}
    for rule in ApprovalRule.objects.filter(org_id__in=ids).order_by("min_amount"):
        by_org.setdefault(rule.org_id, []).append(rule)
    for org_id in reversed(ids):
        if org_id in by_org:
            applicable = [r for r in by_org[org_id] if r.min_amount <= amount]
            # An amount below that organisation's lowest rule falls back to the defaults, not to an
            # ancestor's rules: the nearest organisation's rules replace its ancestors' as a whole.
            return applicable[-1] if applicable else None
    return None


def route_for(org: Organisation, amount: Decimal, *, over_cap: bool = False) -> Route:
    """Return the approval route in ORG for AMOUNT, with the exceed-cap steps when OVER_CAP."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    settings = get_settings(org, SETTING_KEYS)
    rule = rule_for(org, amount)
    if rule is not None:
        steps = rule.step_codes
    else:
        steps = list(DEFAULT_STEPS)
        if amount >= Decimal(settings["approval.collective_threshold_yuan"]):
            steps.append(COLLECTIVE)
    if over_cap:
        steps += list(settings["approval.exceed_cap_steps"])
    steps = merge(steps)
    labels = step_labels(steps, collective_body=settings["approval.collective_body"])
    return Route(steps=tuple(steps), labels=tuple(labels), rule=rule, exceeds_cap=over_cap,
                 step_working_days=settings["approval.step_working_days"])


def step_labels(steps: list[str], *, collective_body: str) -> list[str]:
    """Return the Chinese names of STEPS: role labels, and COLLECTIVE_BODY for the collective decision."""
    return [collective_body if s == COLLECTIVE else Role(s).label for s in steps]
