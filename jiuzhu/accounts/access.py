"""Who holds which capability where: a user's active memberships (deny by default).

The case scope built on them (what a user may see and change) is `jiuzhu.cases.access`; the admin's
is `accounts.admin_scope`. Scope: a membership with VIEW_CASES sees the cases handled anywhere in its organisation's subtree;
it may change only the cases its own organisation handles (an upper procuratorate reads its
subordinates' cases). A case-department prosecutor (RAISE_CLUES only) sees the clues they raised.
Outside scope a record does not exist (404); visible but not theirs to change is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiuzhu.accounts.models import Membership, User

if TYPE_CHECKING:
    from jiuzhu.orgs.models import Organisation


def memberships_of(user: User) -> list[Membership]:
    """Return the user's active memberships, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_jiuzhu_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, is_active=True).select_related("org", "department"))
        user._jiuzhu_memberships = cached  # type: ignore[attr-defined]
    return cached


def has_capability(user: User, capability: str, org: Organisation | None = None) -> bool:
    """Return whether USER holds CAPABILITY (in ORG itself, when ORG is given)."""
    return any(capability in m.capabilities and (org is None or m.org_id == org.pk) for m in memberships_of(user))


def orgs_with(user: User, capability: str) -> list[Organisation]:
    """Return the organisations in which USER holds CAPABILITY."""
    return [m.org for m in memberships_of(user) if capability in m.capabilities]
