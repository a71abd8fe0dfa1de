"""Reads of aid cases; every one starts from the scoping function (style.md bullets 22–24)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects

from jiuzhu.accounts.access import memberships_of
from jiuzhu.accounts.models import Capability, User
from jiuzhu.calendar import workdays
from jiuzhu.cases.access import cases_visible_to, get_case_for_user
from jiuzhu.cases.models import OPEN_STATUSES, AidCase, CaseEvent, Deadline, Status
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation
from jiuzhu.people import idcard
from jiuzhu.people.actions import id_blind_index

# Lists show masked values only: never load (and decrypt) the applicant's encrypted columns for them.
ENCRYPTED_APPLICANT = ("applicant__id_number", "applicant__phone", "applicant__address", "applicant__bank_account")


def orgs_in_scope(user: User) -> list[Organisation]:
    """Return the procuratorates whose cases USER may see (their memberships' subtrees)."""
    q = Q(pk__in=[])
    for m in memberships_of(user):
        if Capability.VIEW_CASES in m.capabilities:
            q |= Q(path__startswith=m.org.path)
        elif Capability.RAISE_CLUES in m.capabilities:
            q |= Q(pk=m.org_id)
    return list(Organisation.objects.filter(q, kind=Organisation.Kind.PROCURATORATE))


def worklist(user: User, *, view: str = "open", status: str = "", org_id: str = "", group: str = "",
             date_from: dt.date | None = None, date_to: dt.date | None = None,
             due_soon_days: int = 2) -> QuerySet[AidCase]:
    """Return the cases of USER's worklist, with what the list shows, in a fixed number of queries."""
    qs = cases_visible_to(user)
    today = clock.today()
    if view in ("open", "mine", "due_soon", "overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    if view == "mine":
        qs = qs.filter(handler=user)
    elif view == "to_approve":
        q = Q(pk__in=[])
        for m in memberships_of(user):
            roles = [r for r in ("dept_head", "deputy_chief", "chief", "collective") if m.role in step_roles(r)]
            q |= Q(status=Status.PENDING_APPROVAL, handling_org=m.org_id, awaiting_role__in=roles)
            if Capability.APPROVE_ADVANCE in m.capabilities:
                q |= Q(status=Status.ADVANCE_REQUESTED, handling_org=m.org_id)
        qs = qs.filter(q)
    elif view == "due_soon":
        qs = qs.filter(next_due__gte=today, next_due__lte=workdays.add_working_days(today, due_soon_days))
    elif view == "overdue":
        qs = qs.filter(next_due__lt=today)
    elif view == "payments_due":
        # Funds arrived and the applicant still to be paid, or an instalment due within the horizon.
        # The payments hang off the case (funds.Payment, related name "payments"): read through the
        # relation, so the case's queries do not import the app above them.
        payment = AidCase._meta.get_field("payments").related_model
        horizon = workdays.add_working_days(today, due_soon_days)
        qs = qs.filter(Q(status=Status.AWAITING_PAYMENT) | Q(pk__in=Subquery(
            payment._default_manager.filter(status__in=[payment.Status.SCHEDULED, payment.Status.ORDERED],
                                   due_on__lte=horizon).values("case_id"))))
    if status:
        qs = qs.filter(status=status)
    if org_id:
        org = Organisation.objects.filter(pk=org_id).first()
        qs = qs.filter(handling_org__path__startswith=org.path) if org else qs.none()
    if group:
        qs = qs.filter(groups__group=group)
    if date_from:
        qs = qs.filter(raised_on__gte=date_from)
    if date_to:
        qs = qs.filter(raised_on__lte=date_to)
    return (qs.select_related("handling_org", "applicant", "handler").defer(*ENCRYPTED_APPLICANT)
            .prefetch_related("groups")
            .order_by(*WORKLIST_ORDER))


WORKLIST_ORDER = (F("next_due").asc(nulls_last=True), "-raised_on", "-pk")
WORKLIST_REVERSED = (F("next_due").desc(nulls_first=True), "raised_on", "pk")
COUNT_CAP = 1000  # the worklist counts its cases up to this many ("超过1000件"), never the whole scope
_CURSOR = re.compile(r"^(-|\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})_(\d{1,18})$")


class CursorError(ValueError):
    """A worklist position (after=/before=) that is not one the worklist wrote."""


@dataclass
class WorklistPage:
    """One page of the worklist, paged by keyset: links carry the position of the row at the edge."""

    rows: list[AidCase]
    next_after: str = ""  # the 下一页 link's position ("" when this is the last page)
    prev_before: str = ""  # the 上一页 link's position ("" on the first page)
    total: int = 0  # cases in the list, counted up to COUNT_CAP
    total_capped: bool = False  # more than COUNT_CAP

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def worklist_cursor(case: AidCase) -> str:
    """The position of CASE in the worklist order, for the next/previous links."""
    return f"{case.next_due.isoformat() if case.next_due else '-'}_{case.raised_on.isoformat()}_{case.pk}"


def _read_cursor(value: str) -> tuple[dt.date | None, dt.date, int]:
    m = _CURSOR.match(value or "")
    if not m:
        raise CursorError(value)
    try:
        due = None if m.group(1) == "-" else dt.date.fromisoformat(m.group(1))
        return due, dt.date.fromisoformat(m.group(2)), int(m.group(3))
    except ValueError:
        raise CursorError(value) from None


def _after_parts(due: dt.date | None, raised: dt.date, pk: int) -> list[Q]:
    """The rows after (DUE, RAISED, PK) in the worklist order, as index ranges taken one after the other.

    Each part is one range of case_worklist_org_due_idx / case_worklist_due_idx (the redundant
    raised_on bound makes the database start the scan at the position, not at the start of the group).
    """
    same = Q(raised_on__lte=raised) & (Q(raised_on__lt=raised) | Q(pk__lt=pk))
    if due is None:
        return [Q(next_due__isnull=True) & same]
    return [Q(next_due=due) & same, Q(next_due__gt=due), Q(next_due__isnull=True)]


def _before_parts(due: dt.date | None, raised: dt.date, pk: int) -> list[Q]:
    """The rows before (DUE, RAISED, PK), nearest first (the worklist order reversed)."""
    same = Q(raised_on__gte=raised) & (Q(raised_on__gt=raised) | Q(pk__gt=pk))
    if due is None:
        return [Q(next_due__isnull=True) & same, Q(next_due__isnull=False)]
    return [Q(next_due=due) & same, Q(next_due__lt=due)]


def _take(qs: QuerySet[AidCase], parts: list[Q], order: tuple[Any, ...], n: int) -> list[AidCase]:
    rows: list[AidCase] = []
    for part in parts:
        if len(rows) >= n:
            break
        rows += list(qs.filter(part).order_by(*order)[:n - len(rows)])
    return rows


def worklist_page(qs: QuerySet[AidCase], *, after: str = "", before: str = "", size: int = 50) -> WorklistPage:
    """Return one page of the worklist QS (from `worklist()`) after or before a position, by keyset.

    No OFFSET (a deep page costs what the first does: one index range) and no exact COUNT(*) of the
    scope (counted up to COUNT_CAP). Raises CursorError for a position the worklist did not write.
    """
    base = qs.prefetch_related(None)
    if after:
        rows = _take(base, _after_parts(*_read_cursor(after)), WORKLIST_ORDER, size + 1)
        more, prev = len(rows) > size, True
        rows = rows[:size]
    elif before:
        rows = _take(base, _before_parts(*_read_cursor(before)), WORKLIST_REVERSED, size + 1)
        prev, more = len(rows) > size, True
        rows = list(reversed(rows[:size]))
    else:
        rows = list(base.order_by(*WORKLIST_ORDER)[:size + 1])
        more, prev = len(rows) > size, False
        rows = rows[:size]
    prefetch_related_objects(rows, "groups")
    total = base.order_by()[:COUNT_CAP + 1].count()
    return WorklistPage(rows=rows, next_after=worklist_cursor(rows[-1]) if rows and more else "",
                        prev_before=worklist_cursor(rows[0]) if rows and prev else "",
                        total=min(total, COUNT_CAP), total_capped=total > COUNT_CAP)


def case_for_page(user: User, pk: int) -> AidCase:
    """Return case PK with everything the case page shows (404 outside USER's scope)."""
    from jiuzhu.cases.models import ApprovalStep, Attachment, CaseParty, Record, ReviewOpinion

    # The panels' one-to-ones come with the case (one row each at most; read through lib.models.loaded_one):
    # the support plan (support.queries.case_support) and the custody agreement (documents.queries._entrusted).
    qs = AidCase.objects.select_related(
        "handling_org", "original_case", "applicant", "handler", "raised_by", "decided_by",
        "support_plan__updated_by", "entrustment",
    ).prefetch_related(
        "groups",
        Prefetch("parties", queryset=CaseParty.objects.select_related("person")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "pk")),
        Prefetch("deadlines", queryset=Deadline.objects.order_by("starts_on", "pk")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        Prefetch("records", queryset=Record.objects.select_related("recorded_by")),
        Prefetch("opinions", queryset=ReviewOpinion.objects.select_related("submitted_by")),
        Prefetch("approval_steps", queryset=ApprovalStep.objects.select_related("actor", "opinion")),
    )
    return get_case_for_user(user, pk, queryset=qs)


MATCH_CAP = 1000  # matched case ids read into a list before the scope filters them (search)


def search(user: User, q: str) -> tuple[QuerySet[AidCase], bool]:
    """Return the visible cases matching Q by case number, original case number, name or ID number.

    The second value says whether Q was an ID number (searched through the blind index only).
    """
    q = q.strip()
    base = (cases_visible_to(user).select_related("handling_org", "applicant", "handler")
            .defer(*ENCRYPTED_APPLICANT).prefetch_related("groups"))
    if not q:
        return base.none(), False
    normal = idcard.normalise(q)
    if len(normal) == 18 and normal[:17].isdigit():
        bidx = id_blind_index(normal)
        return base.filter(parties__person__id_number_bidx=bidx).distinct(), True
    matching = _matching(q)
    # The matches first (one query, each part on its index), then the scope filters them by primary key: a
    # subquery here would let the planner hash the whole scope's cases against it. A term that matches more
    # than MATCH_CAP cases (part of a year in the numbers) is left to the subquery, since it matches much anyway.
    ids = list(matching[:MATCH_CAP + 1])
    return base.filter(pk__in=ids if len(ids) <= MATCH_CAP else matching)[:200], False  # type: ignore[return-value]


def _matching(q: str) -> QuerySet[Any]:
    """The ids of every case whose number, original case's 案号 or party's name contains Q: a UNION of three
    lookups, each one its own trigram index on PostgreSQL (case_number_trgm_idx, original_case_number_trgm_idx,
    person_name_trgm_idx), so the scope filters the few matches instead of one OR over the whole scope's
    joined rows (a scan of every case, party and person in it)."""
    from jiuzhu.cases.models import CaseParty

    by_number = AidCase.objects.filter(number__icontains=q).order_by().values_list("pk", flat=True)
    by_original = AidCase.objects.filter(original_case__case_number__icontains=q).order_by().values_list("pk", flat=True)
    by_name = CaseParty.objects.filter(person__name__contains=q).order_by().values_list("case_id", flat=True)
    return by_number.union(by_original, by_name).order_by()


APPROVAL_MOVES = {"approve_step", "return_opinion", "decide_grant", "decide_refuse"}


def current_step(case: AidCase) -> Any:
    """Return the pending approval step of CASE from its prefetched steps, or None."""
    return next((s for s in case.approval_steps.all() if s.status == "pending"), None)


def step_roles(role: str) -> set[str]:
    """Return the membership roles that may take an approval step of ROLE."""
    return {"chief", "deputy_chief"} if role == "collective" else {role}


def _may_take_step(user: User, case: AidCase, move: str) -> bool:
    step = current_step(case)
    if step is None:
        return False
    roles = {m.role for m in memberships_of(user) if m.org_id == case.handling_org_id}
    if not roles & step_roles(step.role):
        return False
    last = not any(s.seq > step.seq and s.opinion_id == step.opinion_id for s in case.approval_steps.all())
    if move == "approve_step":
        return not last
    if move == "decide_grant":
        return last and step.opinion.recommendation == "grant"
    if move == "decide_refuse":
        return last
    return True


def next_moves(user: User, case: AidCase) -> list[Any]:
    """Return the actions USER may take on CASE now, for the case page's buttons."""
    from jiuzhu.cases.access import may_take
    from jiuzhu.cases.lifecycle import moves_from

    moves = []
    for move in moves_from(case.status):
        if not may_take(user, case, move.name):  # the action's own check (actions/common._check_authority)
            continue
        if move.name == "record_funds" and case.decision != AidCase.Decision.GRANT:
            continue
        if move.name == "record_payment":
            continue  # paid through the payments panel (funds): the bank's payment takes the step
        if move.name == "start_follow_up":
            continue  # one path: recording the first planned visit (support panel, 登记回访) takes the step
        if move.name == "close" and case.status == Status.SERVED and case.decision == AidCase.Decision.GRANT:
            continue
        if case.status == Status.PENDING_APPROVAL and move.name in APPROVAL_MOVES:
            if not _may_take_step(user, case, move.name):
                continue
        if move.name == "deem_abandoned":
            due = next((d for d in case.deadlines.all() if d.kind == Deadline.Kind.SUPPLEMENT
                        and d.completed_on is None), None)
            if due is not None and due.due_on >= clock.today():
                continue
        moves.append(move)
    return moves
