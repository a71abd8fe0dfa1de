"""Login bookkeeping on Django's auth signals: the session's second-factor state, logout audit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="jiuzhu_mark_login")
def _mark_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from jiuzhu.accounts import twofactor

    if request is not None and hasattr(request, "session"):
        twofactor.mark_login(request, user)


@receiver(user_logged_out, dispatch_uid="jiuzhu_audit_logout")
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    from jiuzhu.audit.actions import record
    from jiuzhu.audit.models import AuditEntry
    from jiuzhu.lib.netaddr import client_ip

    record(AuditEntry.Kind.LOGOUT, acting_user=user, ip=client_ip(request) if request is not None else "")
