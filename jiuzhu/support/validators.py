"""Checks of the support settings' values (pure: no models imported)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def validate_month_list(value: Any) -> None:
    """A follow-up schedule: distinct whole months from 1 to 60, ascending."""
    if not value or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 60 for m in value):
        raise ValidationError("应为1至60之间的整数月份列表，例如 [1, 6, 12]。")
    if list(value) != sorted(set(value)):
        raise ValidationError("月份应从小到大排列且不重复。")
