"""Validators of the funds settings (imported by `orgs/policy.py` before the app registry is ready)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

OVER_BUDGET_CHOICES = ("block", "warn")


def validate_over_budget(value: Any) -> None:
    """Check VALUE is "block" (refuse a decision beyond the uncommitted budget) or "warn"."""
    if value not in OVER_BUDGET_CHOICES:
        raise ValidationError("应为 block（超出预算时不能决定）或 warn（超出预算时提示）。")
