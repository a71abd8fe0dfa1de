"""Template helpers for the case page's documents section (`{% load documents_tags %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability
from jiuzhu.documents import queries
from jiuzhu.documents.context import SPECS

register = template.Library()


@register.simple_tag
def documents_for_case(case: Any) -> list[Any]:
    """`{% documents_for_case case as docs %}`: every version of the case's documents (one query)."""
    return queries.documents_for_case(case)


@register.simple_tag
def issuable_kinds(case: Any, user: Any, documents: Any = None) -> list[tuple[str, str]]:
    """`{% issuable_kinds case user docs as kinds %}`: the documents USER may make now."""
    return queries.issuable_kinds(case, user, documents)


@register.simple_tag
def approval_form_remake(case: Any, user: Any, documents: Any = None) -> Any:
    """`{% approval_form_remake case user docs as remake %}`: the 审批表 to re-make as a new version
    (it no longer shows every step of the route taken), or None."""
    offer = queries.approval_form_offer(case, documents or [])
    if offer is None or offer[0] != "remake" or not any(
            has_capability(user, cap, case.handling_org) for cap in SPECS["approval_form"].capabilities):
        return None
    return offer[1]


@register.simple_tag
def can_handle_documents(case: Any, user: Any) -> bool:
    """Whether USER may correct documents and record their service in CASE."""
    return has_capability(user, Capability.HANDLE_CASES, case.handling_org)


@register.filter
def servable(kind: str) -> bool:
    return SPECS[kind].servable if kind in SPECS else False


@register.simple_tag
def closing_checklist(case: Any) -> list[Any]:
    """`{% closing_checklist case as checks %}`: what closing and archiving leave behind (documents.dossier)."""
    from jiuzhu.documents.dossier import checklist

    return checklist(case)
