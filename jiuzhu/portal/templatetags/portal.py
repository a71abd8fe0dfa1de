"""Dates, amounts and document titles as an applicant reads them, in the portal's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from jiuzhu.lib import i18n

register = template.Library()


@register.filter
def pdate(day: dt.date | dt.datetime | None) -> str:
    return i18n.format_date(day)


@register.filter
def pdatetime(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{i18n.format_date(local)} {local:%H:%M}"


@register.filter
def pmoney(amount: Any) -> str:
    return i18n.format_amount(amount)


@register.filter
def doc_title(doc: Any) -> str:
    from jiuzhu.portal.queries import DOCUMENT_TITLES

    return str(DOCUMENT_TITLES.get(doc.kind) or doc.get_kind_display())
