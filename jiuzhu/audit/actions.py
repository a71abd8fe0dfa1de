"""Writes to the audit trail."""

from __future__ import annotations

from typing import Any

from jiuzhu.audit.models import AuditEntry
from jiuzhu.lib import clock


def _org_id_of(acting_user: Any, case: Any, organisation: Any) -> int | None:
    """The organisation whose trail the row joins: given, else the case's, else the actor's first."""
    if organisation is not None:
        return organisation.pk  # type: ignore[no-any-return]
    if case is not None:
        return case.handling_org_id  # type: ignore[no-any-return]
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        from jiuzhu.accounts.access import memberships_of

        memberships = memberships_of(acting_user)  # cached on the user for the request
        if memberships:
            return memberships[0].org_id  # ordered by the organisation's path: the highest one
    return None


def record(kind: str, *, acting_user: Any, case: Any = None, person: Any = None, field: str = "",
           reason: str = "", organisation: Any = None, **detail: Any) -> AuditEntry:
    """Add one audit row, chained to the previous row of its organisation (audit/chain.py).

    ORGANISATION (an Organisation) names whose trail it is; by default the case's procuratorate, else
    the acting user's. ACTING_USER may be None (no signed-in user: a failed login, the system).
    """
    org_id = _org_id_of(acting_user, case, organisation)
    return AuditEntry.objects.create(kind=kind, actor=acting_user, at=clock.now(), case=case, person=person,
                                     field=field, reason=reason[:200], detail=detail,
                                     org_id=org_id)


def record_reveal(*, acting_user: Any, person: Any, field: str, reason: str, case: Any = None) -> AuditEntry:
    """Record that ACTING_USER saw the full value of PERSON's FIELD, and why."""
    return record(AuditEntry.Kind.REVEAL, acting_user=acting_user, case=case, person=person, field=field,
                  reason=reason)
