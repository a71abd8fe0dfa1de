"""Writes to the rules' reference data (wage bases, approval rules).

Each validates the whole row before its single write, so a refusal leaves the caller's transaction usable.
"""

from __future__ import annotations

from decimal import Decimal

from jiuzhu.orgs.models import Organisation
from jiuzhu.rules.models import ApprovalRule, WageBase


def record_wage_base(*, province_code: str, year: int, monthly_amount: Decimal, source: str,
                     statistic: str = WageBase.Statistic.NON_PRIVATE_EMPLOYED, is_illustrative: bool = False,
                     note: str = "") -> WageBase:
    """Create or replace the wage base of PROVINCE_CODE for YEAR."""
    base = WageBase.objects.filter(province_code=province_code, year=year).first() or WageBase(
        province_code=province_code, year=year)
    base.statistic, base.monthly_amount, base.source = statistic, monthly_amount, source
    base.is_illustrative, base.note = is_illustrative, note
    base.full_clean()
    base.save()
    return base


def add_approval_rule(org: Organisation, *, min_amount: Decimal, steps: list[str], collective: bool = False,
                      note: str = "") -> ApprovalRule:
    """Create an approval rule for ORG's scope from MIN_AMOUNT yuan up."""
    rule = ApprovalRule(org=org, min_amount=min_amount, steps=list(steps) if isinstance(steps, list) else steps,
                        collective=collective, note=note)
    rule.full_clean()
    rule.save()
    return rule
