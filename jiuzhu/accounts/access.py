"""The one place that decides what a user may see and change (deny by default).

Scope: a membership with VIEW_CASES sees the cases handled anywhere in its organisation's subtree;
it may change only the cases its own organisation handles (an upper procuratorate reads its
subordinates' cases). A case-department prosecutor (RAISE_CLUES only) sees the clues they raised.
Outside scope a record does not exist (404); visible but not theirs to change is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Subquery
from django.http import Http404

from jiuzhu.accounts.models import Capability, Membership, User

if TYPE_CHECKING:
    from jiuzhu.cases.models import AidCase
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


def case_scope_q(user: User, prefix: str = "") -> Q | None:
    """Return the Q that selects the cases USER may see, or None when they may see none."""
    q = Q(pk__in=[])
    granted = False
    for m in memberships_of(user):
        if Capability.VIEW_CASES in m.capabilities:
            q |= Q(**{f"{prefix}handling_org__path__startswith": m.org.path})
            # Every procuratorate that pays towards a joint case sees it (read-only unless it handles it).
            from jiuzhu.funds.models import Contribution

            q |= Q(**{f"{prefix}pk__in": Subquery(
                Contribution.objects.filter(org__path__startswith=m.org.path).values("case_id"))})
            granted = True
        elif Capability.RAISE_CLUES in m.capabilities:
            # A case-department prosecutor follows their own clue until the application is registered;
            # what happens after (review, decision, money) is the complaint department's file.
            q |= Q(**{f"{prefix}raised_by": user, f"{prefix}handling_org": m.org,
                      f"{prefix}status__in": ["clue", "notified"]})
            granted = True
    return q if granted else None


def cases_visible_to(user: User) -> QuerySet[AidCase]:
    """Return every case USER may see; `.none()` for a user with no grant."""
    from jiuzhu.cases.models import AidCase

    q = case_scope_q(user)
    if q is None:
        return AidCase.objects.none()
    return AidCase.objects.filter(q)


def can_write_case(user: User, case: AidCase, capability: str = Capability.HANDLE_CASES) -> bool:
    """Return whether USER holds CAPABILITY in the organisation that handles CASE."""
    return has_capability(user, capability, case.handling_org)


def get_case_for_user(user: User, pk: int, *, write: bool = False, queryset: QuerySet | None = None) -> AidCase:
    """Return case PK if USER may see it (404 otherwise); with WRITE, 403 unless they may change it."""
    qs = queryset if queryset is not None else cases_visible_to(user)
    if queryset is not None:
        q = case_scope_q(user)
        qs = qs.none() if q is None else qs.filter(q)
    case = qs.filter(pk=pk).first()
    if case is None:
        raise Http404("案件不存在")
    if write and not (can_write_case(user, case) or can_write_case(user, case, Capability.RAISE_CLUES)
                      or can_write_case(user, case, Capability.APPROVE)):
        raise PermissionDenied("您只能查看该案件，不能办理。")
    return case
