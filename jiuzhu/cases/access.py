"""The case scope: the one deny-by-default answer to "which cases may this user see and change".

A membership with VIEW_CASES sees the cases handled anywhere in its organisation's subtree (and the
joint cases its subtree pays towards); it may change only the cases its own organisation handles. A
case-department prosecutor (RAISE_CLUES only) sees the clues they raised. Outside scope a record does
not exist (404); visible but not theirs to change is 403. Built on `accounts.access.memberships_of`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from jiuzhu.accounts.access import has_capability, memberships_of
from jiuzhu.accounts.models import Capability, User
from jiuzhu.cases.models import AidCase


def _subtree_ids(user: User, org: Any) -> list[int]:
    """The ids of ORG and every organisation below it (cached on USER for the request, like its memberships)."""
    cache = user.__dict__.setdefault("_jiuzhu_subtrees", {})
    if org.path not in cache:
        cache[org.path] = list(type(org)._default_manager.filter(path__startswith=org.path)
                               .values_list("pk", flat=True))
    return cache[org.path]  # type: ignore[no-any-return]


def joint_cases_outside(org_ids: list[int]) -> list[int]:
    """The cases led outside ORG_IDS towards which an organisation in ORG_IDS pays (joint aid).

    Only contribution lines of a procuratorate other than the lead can do that (`is_lead` False, their own
    partial index), so this is a short index scan, not a scan of every line of the scope.
    """
    # The contribution rows hang off the case (funds.Contribution, related name "contributions"):
    # read through the relation, so this module does not import the app above it.
    contribution = AidCase._meta.get_field("contributions").related_model
    return list(contribution._default_manager.filter(org_id__in=org_ids, is_lead=False)
                .exclude(case__handling_org_id__in=org_ids).values_list("case_id", flat=True).distinct())


def case_scope_q(user: User, prefix: str = "", *, one: bool = False) -> Q | None:
    """Return the Q that selects the cases USER may see, or None when they may see none.

    For lists the subtree is spelled out as a list of organisation ids (`handling_org_id IN (…)`) and the
    joint cases led outside it as a list of case ids, so the database walks the worklist's index of the
    handling procuratorate in order (case_worklist_org_due_idx) instead of evaluating an OR of joins and
    subqueries for every case. For ONE case (a lookup by id) the same rule as a join and an EXISTS probe
    of its contribution lines: no list to fetch first.
    """
    q = Q(pk__in=[])
    granted = False
    contribution = AidCase._meta.get_field("contributions").related_model
    for m in memberships_of(user):
        if Capability.VIEW_CASES in m.capabilities:
            # Every procuratorate that pays towards a joint case sees it (read-only unless it handles it).
            if one:
                q |= Q(**{f"{prefix}handling_org__path__startswith": m.org.path}) | Q(Exists(
                    contribution._default_manager.filter(case_id=OuterRef(f"{prefix}pk"),
                                                         org__path__startswith=m.org.path)))
            else:
                ids = _subtree_ids(user, m.org)
                q |= Q(**{f"{prefix}handling_org_id__in": ids})
                joints = user.__dict__.setdefault("_jiuzhu_joint_outside", {})  # once per request, like the ids
                if m.org.path not in joints:
                    joints[m.org.path] = joint_cases_outside(ids)
                joint = joints[m.org.path]
                if joint:
                    q |= Q(**{f"{prefix}pk__in": joint})
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
    q = case_scope_q(user)
    if q is None:
        return AidCase.objects.none()
    return AidCase.objects.filter(q)


def can_write_case(user: User, case: AidCase, capability: str = Capability.HANDLE_CASES) -> bool:
    """Return whether USER holds CAPABILITY in the organisation that handles CASE."""
    return has_capability(user, capability, case.handling_org)


def may_take(user: User, case: AidCase, move_name: str) -> bool:
    """Return whether USER holds, in the organisation that handles CASE, a capability that allows the step
    MOVE_NAME (cases/lifecycle.py). The one capability check of a case step: the action refuses with it
    (actions/common._check_authority) and the case page offers the step's button only when it passes
    (queries.next_moves), so no page shows a button that its user cannot use."""
    from jiuzhu.cases.lifecycle import MOVES

    return any(has_capability(user, cap, case.handling_org) for cap in MOVES[move_name].capabilities)


def get_case_for_user(user: User, pk: int, *, write: bool = False, queryset: QuerySet | None = None) -> AidCase:
    """Return case PK if USER may see it (404 otherwise); with WRITE, 403 unless they may change it."""
    q = case_scope_q(user, one=True)
    qs = queryset if queryset is not None else AidCase.objects.all()
    qs = qs.none() if q is None else qs.filter(q)
    case = qs.filter(pk=pk).first()
    if case is None:
        raise Http404("案件不存在")
    if write and not (can_write_case(user, case) or can_write_case(user, case, Capability.RAISE_CLUES)
                      or can_write_case(user, case, Capability.APPROVE)):
        raise PermissionDenied("您只能查看该案件，不能办理。")
    return case
