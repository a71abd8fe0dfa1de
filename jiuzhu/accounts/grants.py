"""Four-eyes grants: an approving or administering role given in the admin waits for a second administrator.

The grant is stored inactive (so `access.memberships_of()` ignores it) with who asked and when; a
different administrator of the requester's organisation or of one above it, whose subtree holds the
membership, confirms it. Both steps are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jiuzhu.accounts.models import ROLE_CAPABILITIES, Capability, Membership, Role

FOUR_EYES_CAPABILITIES = frozenset({Capability.APPROVE, Capability.APPROVE_ADVANCE, Capability.ADMINISTER})


def needs_four_eyes(role: str) -> bool:
    """Return whether giving ROLE needs a second administrator's confirmation."""
    return bool(ROLE_CAPABILITIES.get(role, frozenset()) & FOUR_EYES_CAPABILITIES)


def hold(membership: Membership, *, acting_user: Any, before: Membership | None) -> bool:
    """Before MEMBERSHIP is saved: hold a new or changed four-eyes grant inactive; return whether held.

    Unchanged confirmed grants (same user, organisation and role, already active) pass; deactivating
    never needs a second person.
    """
    if not membership.is_active or not needs_four_eyes(membership.role):
        return False
    if (before is not None and before.is_active and not before.is_pending and before.role == membership.role
            and before.org_id == membership.org_id and before.user_id == membership.user_id):
        return False
    from jiuzhu.lib import clock

    membership.is_active = False
    membership.requested_by, membership.requested_at = acting_user, clock.now()
    membership.confirmed_by, membership.confirmed_at = None, None
    return True


def may_confirm(membership: Membership, user: Any) -> bool:
    """Return whether USER may confirm the pending MEMBERSHIP (never its requester)."""
    from jiuzhu.accounts.admin_scope import admin_memberships

    if not membership.is_pending or membership.requested_by_id == user.pk or membership.user_id == user.pk:
        return False
    if user.is_superuser:
        return True
    requester = membership.requested_by
    requester_paths = [m.org.path for m in admin_memberships(requester)] or [membership.org.path]
    for m in admin_memberships(user):
        # Same or higher organisation than the requester's, and the grant inside the confirmer's subtree.
        if membership.org.path.startswith(m.org.path) and any(p.startswith(m.org.path) for p in requester_paths):
            return True
    return False


@transaction.atomic
def confirm(membership: Membership, *, acting_user: Any) -> Membership:
    """Confirm a pending grant: it becomes active (an administrator's role also opens the admin site)."""
    from jiuzhu.accounts.actions import administrators_group
    from jiuzhu.lib import clock

    locked = Membership.objects.select_for_update(of=("self",)).select_related("org", "requested_by").get(pk=membership.pk)
    if not may_confirm(locked, acting_user):
        raise PermissionDenied("只能由申请人以外、同级或上级院的另一名系统管理员确认该授权。")
    locked.is_active, locked.confirmed_by, locked.confirmed_at = True, acting_user, clock.now()
    locked.save(update_fields=["is_active", "confirmed_by", "confirmed_at"])
    if locked.role == Role.ADMIN:
        user = locked.user
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(administrators_group())
    return locked
