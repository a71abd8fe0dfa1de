from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

register = template.Library()

STATUS_COLOURS = {
    "clue": "secondary", "notified": "secondary", "applied": "info", "awaiting_supplement": "warning",
    "accepted": "primary", "under_review": "primary", "pending_approval": "warning", "granted": "success",
    "refused": "danger", "served": "success", "awaiting_payment": "warning", "paid": "success",
    "follow_up": "info", "closed": "dark", "archived": "dark", "abandoned": "dark",
    "advance_requested": "danger", "advance_granted": "warning",
}


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def due_class(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return ""
    if due < today:
        return "jz-overdue"
    if (due - today).days <= 3:
        return "jz-due-soon"
    return ""


@register.filter
def ground_label(code: str) -> str:
    """Return the Chinese description of a refusal ground code (X1–X6), or the code itself."""
    from jiuzhu.cases.models import RefusalGround

    if code == "not_eligible":
        return "不符合救助条件"
    return RefusalGround(code).label if code in RefusalGround.values else code


@register.filter
def get_field(form: Any, name: str) -> Any:
    return form[name]


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def yuan(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return f"{value:,.2f}"


@register.filter
def bs(field: Any) -> Any:
    """Render a form field's widget with Bootstrap's classes."""
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type in ("radio", "checkbox"):
        return field
    css = "form-select" if input_type == "select" or widget.__class__.__name__ == "Select" else "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
