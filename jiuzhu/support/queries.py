"""Reads of support data; staff reads start from the case scoping function (style.md bullets 22–24)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from jiuzhu.accounts.models import User
from jiuzhu.cases.access import case_scope_q, cases_visible_to
from jiuzhu.lib import clock
from jiuzhu.lib.models import loaded_one
from jiuzhu.support.models import (
    PartnerAgency,
    PartnerStaff,
    Referral,
    ReferralMeasure,
    ScreeningList,
    ScreeningMatch,
    Service,
    SharedField,
    SupportPlan,
    Visit,
)

UNANSWERED = (Referral.Status.SENT, Referral.Status.RECEIVED)
PANEL_CAP = 100  # the worklist's support panel counts its entries up to this many ("超过 100"), never the scope


@dataclass
class PanelList:
    """The first rows of one list of the support panel, and the list counted up to PANEL_CAP."""

    rows: list[Any]
    count: int
    more: bool  # more than PANEL_CAP ("超过 100")


def first_and_count(qs: QuerySet[Any], n: int, cap: int | None = None) -> PanelList:
    """The first N rows of QS (in its order) and QS counted up to CAP, in two queries whatever the scope's size.

    One lean query walks QS's order and stops after CAP + 1 keys (no COUNT over the whole scope: the database
    walks the list's index in order and probes each row's case); the N rows shown are then read by key.
    """
    cap = PANEL_CAP if cap is None else cap
    keys = list(qs.values_list("pk", flat=True)[:cap + 1])
    shown = {row.pk: row for row in qs.filter(pk__in=keys[:n]).order_by()} if keys else {}
    return PanelList(rows=[shown[k] for k in keys[:n] if k in shown], count=min(len(keys), cap), more=len(keys) > cap)


def case_support(case: Any) -> dict[str, Any]:
    """Everything the case page's support card shows, in a fixed number of queries."""
    referrals = list(Referral.objects.filter(case=case).select_related("agency")
                     .prefetch_related(Prefetch("taken", queryset=ReferralMeasure.objects.order_by("taken_on", "pk")))
                     .order_by("sent_on", "pk"))
    return {
        "referrals": referrals,
        "services": list(Service.objects.filter(case=case).order_by("provided_on", "pk")),
        "visits": list(Visit.objects.filter(case=case).select_related("visited_by")),
        "plan": _plan(case),
        "today": clock.today(),
    }


def _plan(case: Any) -> SupportPlan | None:
    """CASE's support plan: selected with the case on the case page (cases.queries.case_for_page), else one query."""
    loaded, plan = loaded_one(case, "support_plan")
    return plan if loaded else SupportPlan.objects.filter(case=case).select_related("updated_by").first()


def agencies_for(case: Any) -> QuerySet[PartnerAgency]:
    """Partner agencies that serve the case's area (its own, the areas above and below)."""
    org = case.handling_org
    ids = org.ancestor_ids()
    return (PartnerAgency.objects.filter(is_active=True)
            .filter(Q(org_id__in=ids) | Q(org__path__startswith=org.path)).select_related("org"))


def _case_scope(user: User) -> Q:
    """The scope's rule on the rows' case (a join on its key), or nothing for a user who sees no case."""
    q = case_scope_q(user, "case__")
    return Q(pk__in=[]) if q is None else q


def overdue_referrals(user: User, today: dt.date | None = None) -> QuerySet[Referral]:
    """Referrals of the user's visible cases whose partner has not answered by the feedback deadline."""
    today = today or clock.today()
    return (Referral.objects.filter(_case_scope(user), status__in=UNANSWERED, due_on__lt=today)
            .select_related("agency", "case", "case__handling_org").order_by("due_on", "pk"))


def overdue_visits(user: User, today: dt.date | None = None) -> QuerySet[Visit]:
    """Follow-up visits of the user's visible cases not held by their date."""
    today = today or clock.today()
    # support_visit_overdue_idx in date order, each visit's case probed by its key for the scope.
    return (Visit.objects.filter(_case_scope(user), held_on__isnull=True, due_on__lt=today)
            .select_related("case", "case__handling_org").order_by("due_on", "pk"))


def partner_agency_of(user: User) -> PartnerAgency | None:
    ps = PartnerStaff.objects.filter(user=user, agency__is_active=True).select_related("agency").first() \
        if user.is_authenticated else None
    return ps.agency if ps else None


def referrals_for_partner(agency: PartnerAgency) -> QuerySet[Referral]:
    return (Referral.objects.filter(agency=agency).select_related("case", "case__handling_org", "case__applicant")
            .defer("case__applicant__id_number", "case__applicant__bank_account").order_by("-sent_on", "-pk"))


def screening_lists(orgs: list[Any]) -> QuerySet[ScreeningList]:
    return ScreeningList.objects.filter(org__in=orgs).select_related("org", "imported_by")


def screening_matches(orgs: list[Any]) -> QuerySet[ScreeningMatch]:
    return (ScreeningMatch.objects.filter(hardship_row__list__org__in=orgs)
            .select_related("hardship_row", "hardship_row__list", "victim_row", "victim_row__list", "case")
            .defer("hardship_row__id_number", "victim_row__id_number"))


def priority_cases(user: User, groups: list[str]) -> QuerySet[Any]:
    """Open cases of USER's scope in a priority group, the group earliest in GROUPS first, then by deadline."""
    from django.db.models import Case, F, IntegerField, OuterRef, Subquery, When

    from jiuzhu.cases.models import OPEN_STATUSES, CaseGroup
    from jiuzhu.cases.queries import ENCRYPTED_APPLICANT

    if not groups:
        return cases_visible_to(user).none()
    # The case's best rank: a probe of its own tags (cases_casegroup_unique), not a join and GROUP BY of
    # every open case of the scope with its tags and the joined rows.
    rank = Case(*[When(group=g, then=i) for i, g in enumerate(groups)], output_field=IntegerField())
    best = CaseGroup.objects.filter(case=OuterRef("pk"), group__in=groups).annotate(r=rank).order_by("r").values("r")[:1]
    return (cases_visible_to(user).filter(status__in=OPEN_STATUSES).annotate(priority=Subquery(best))
            .filter(priority__isnull=False).select_related("handling_org", "applicant").defer(*ENCRYPTED_APPLICANT)
            .order_by("priority", F("next_due").asc(nulls_last=True), "-raised_on", "-pk"))


def shared_with_partner(referral: Referral) -> list[tuple[str, str]]:
    """The (label, value) pairs a referral shares with its partner (its shared fields): never the ID number.

    The partner's page and the referral letter (documents/context/referral.py) both show exactly these.
    """
    case = referral.case
    person = case.applicant
    shown: list[tuple[str, str]] = []
    fields = set(referral.shared_fields)
    if person is not None:
        if SharedField.NAME in fields:
            shown.append(("姓名", person.display_name))
        if SharedField.SEX_AGE in fields:
            age = person.age_on(clock.today())
            shown.append(("性别与年龄", f"{person.get_sex_display() or '—'}，{age if age is not None else '—'}岁"))
        if SharedField.PHONE in fields:
            shown.append(("联系电话", str(person.phone) or "—"))
        if SharedField.ADDRESS in fields:
            shown.append(("住址", str(person.address) or "—"))
        if SharedField.HOUSEHOLD in fields:
            shown.append(("户籍所在地", person.household_registration or "—"))
    if SharedField.GROUPS in fields:
        shown.append(("人员类别", "、".join(g.group for g in case.groups.all()) or "—"))
    return shown
