"""Validators of the values of settings (orgs/policy.py) and of rule data entered by administrators.

Pure checks of JSON values (approval steps, hardship tiers, group lists, the over-budget choice, a
follow-up schedule), raising Django's ValidationError with a Chinese message. They sit here, below the
apps whose rules they check, because `orgs/policy.py` (imported by every app) lists them; the rules'
model fields use them through `rules/validators.py`. Imports of models stay inside the functions:
`orgs/policy.py` imports this module before the app registry is ready.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

COLLECTIVE = "collective"  # the collective decision (检察长办公会 / 检察委员会): setting approval.collective_body


def approver_roles() -> dict[str, str]:
    """Return {role code: Chinese label} of the roles that may approve (Capability.APPROVE)."""
    from jiuzhu.accounts.models import ROLE_CAPABILITIES, Capability, Role

    return {r.value: r.label for r in Role if Capability.APPROVE in ROLE_CAPABILITIES.get(r.value, ())}


def validate_approval_steps(value: Any, *, allow_empty: bool = False) -> None:
    """Check VALUE is a list of distinct approver role codes or "collective", in order."""
    allowed = approver_roles()
    choices = "、".join(f"{code}（{label}）" for code, label in allowed.items()) + f"、{COLLECTIVE}（集体决定）"
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValidationError(f"审批步骤应是角色代码的列表，例如 [\"dept_head\", \"deputy_chief\"]；可用：{choices}。")
    if not value and not allow_empty:
        raise ValidationError("审批步骤不能为空。")
    unknown = [s for s in value if s not in allowed and s != COLLECTIVE]
    if unknown:
        raise ValidationError(f"未知的审批步骤：{'、'.join(unknown)}；可用：{choices}。")
    if len(set(value)) != len(value):
        raise ValidationError("审批步骤不能重复。")
    if COLLECTIVE in value and value[-1] != COLLECTIVE:
        raise ValidationError(f"集体决定（{COLLECTIVE}）只能是最后一步。")


def validate_exceed_cap_steps(value: Any) -> None:
    """Setting approval.exceed_cap_steps: approval steps added when the amount exceeds the cap."""
    validate_approval_steps(value)


def validate_non_blank(value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("不能为空。")


def validate_groups(value: Any) -> None:
    """Check VALUE is a list of distinct person categories (cases.models.Group)."""
    from jiuzhu.people.groups import Group

    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise ValidationError("应是人员类别的列表，例如 [\"未成年人\", \"残疾人\"]。")
    unknown = [g for g in value if g not in Group.values]
    if unknown:
        raise ValidationError(f"未知的人员类别：{'、'.join(unknown)}；可用：{'、'.join(Group.values)}。")
    if len(set(value)) != len(value):
        raise ValidationError("人员类别不能重复。")


TIER_KEYS = {"name", "percent_of_cap", "note"}


def validate_hardship_tiers(value: Any) -> None:
    """Check the tiers: [{"name": "一档", "percent_of_cap": 30, "note": "…"}, …], percents rising, ≤ 100.

    A tier's suggested range runs from the previous tier's percentage (0 for the first) to its own,
    of the 36-month cap.
    """
    example = '[{"name": "一档", "percent_of_cap": 30}, {"name": "二档", "percent_of_cap": 60}]'
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ValidationError(f"困难档次应是对象的列表，例如 {example}。")
    previous = Decimal(0)
    names: set[str] = set()
    for i, tier in enumerate(value, start=1):
        if extra := set(tier) - TIER_KEYS:
            raise ValidationError(f"第{i}档有未知的键：{'、'.join(sorted(extra))}（可用 name、percent_of_cap、note）。")
        name, percent = tier.get("name"), tier.get("percent_of_cap")
        if not isinstance(name, str) or not name.strip() or name in names:
            raise ValidationError(f"第{i}档的名称（name）不能为空，也不能与其他档重复。")
        names.add(name)
        if isinstance(percent, bool) or not isinstance(percent, int | Decimal | float | str):
            raise ValidationError(f"第{i}档的比例（percent_of_cap）应是 0–100 之间的数。")
        try:
            p = Decimal(str(percent))
        except ArithmeticError:
            raise ValidationError(f"第{i}档的比例（percent_of_cap）应是 0–100 之间的数。") from None
        if not p.is_finite() or not (previous < p <= 100):
            raise ValidationError(f"第{i}档的比例（percent_of_cap）应大于上一档且不超过 100。")
        previous = p


OVER_BUDGET_CHOICES = ("block", "warn")


def validate_over_budget(value: Any) -> None:
    """Check VALUE is "block" (refuse a decision beyond the uncommitted budget) or "warn"."""
    if value not in OVER_BUDGET_CHOICES:
        raise ValidationError("应为 block（超出预算时不能决定）或 warn（超出预算时提示）。")



def validate_month_list(value: Any) -> None:
    """A follow-up schedule: distinct whole months from 1 to 60, ascending."""
    if not value or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 60 for m in value):
        raise ValidationError("应为1至60之间的整数月份列表，例如 [1, 6, 12]。")
    if list(value) != sorted(set(value)):
        raise ValidationError("月份应从小到大排列且不重复。")
