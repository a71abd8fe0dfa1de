from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def wan(amount: Any) -> str:
    """Yuan as 万元 with two decimals: 533000 → 53.30."""
    if amount is None or amount == "":
        return "—"
    return f"{(Decimal(amount) / Decimal(10000)).quantize(Decimal('0.01'))}"


@register.filter
def field_label(form: Any, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else name
