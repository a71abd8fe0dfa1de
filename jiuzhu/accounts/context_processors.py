from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jiuzhu.accounts.access import memberships_of


def membership(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's memberships and capabilities to every template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    ms = memberships_of(user)  # type: ignore[arg-type]
    caps = set().union(*(m.capabilities for m in ms)) if ms else set()
    # Until the second factor is given, the navigation is hidden (every link would lead back to it).
    owed = bool(request.session.get("jz_2fa")) and not getattr(user, "is_verified", lambda: True)()
    return {"memberships": ms, "caps": caps, "primary_membership": ms[0] if ms else None,
            "second_factor_owed": owed}
