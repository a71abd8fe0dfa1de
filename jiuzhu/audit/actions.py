"""Writes to the audit trail."""

from __future__ import annotations

from typing import Any

from jiuzhu.audit.models import AuditEntry
from jiuzhu.lib import clock


def record(kind: str, *, acting_user: Any, case: Any = None, person: Any = None, field: str = "",
           reason: str = "", **detail: Any) -> AuditEntry:
    """Add one audit row."""
    return AuditEntry.objects.create(kind=kind, actor=acting_user, at=clock.now(), case=case, person=person,
                                     field=field, reason=reason[:200], detail=detail)


def record_reveal(*, acting_user: Any, person: Any, field: str, reason: str, case: Any = None) -> AuditEntry:
    """Record that ACTING_USER saw the full value of PERSON's FIELD, and why."""
    return record(AuditEntry.Kind.REVEAL, acting_user=acting_user, case=case, person=person, field=field,
                  reason=reason)
