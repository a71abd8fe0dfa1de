"""Reads of documents; each starts from a case the user was already allowed to see (style.md bullet 23)."""

from __future__ import annotations

from django.db.models import Count, Max

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import User
from jiuzhu.cases.models import AidCase, Status
from jiuzhu.documents.context import SPECS
from jiuzhu.documents.models import NUMBERED_KINDS, IssuedDocument, Kind
from jiuzhu.lib.models import loaded_one

S = Status
AFTER_APPLICATION = frozenset(set(S) - {S.CLUE, S.NOTIFIED})
AFTER_ACCEPTANCE = AFTER_APPLICATION - {S.APPLIED, S.AWAITING_SUPPLEMENT, S.ABANDONED}
AFTER_OPINION = frozenset({S.PENDING_APPROVAL, S.GRANTED, S.REFUSED, S.SERVED, S.AWAITING_PAYMENT, S.PAID,
                           S.FOLLOW_UP, S.CLOSED, S.ARCHIVED})
AFTER_FUNDS = frozenset({S.AWAITING_PAYMENT, S.PAID, S.FOLLOW_UP, S.CLOSED, S.ARCHIVED})


def documents_for_case(case: AidCase) -> list[IssuedDocument]:
    """Return every version of CASE's documents with who issued them and their service, in one query."""
    return list(IssuedDocument.objects.filter(case=case).select_related("issued_by")
                .annotate(service_count=Count("services"), last_served_on=Max("services__served_on"))
                .order_by("issued_at", "pk"))


def _entrusted(case: AidCase) -> bool:
    from jiuzhu.custody.models import EntrustmentAgreement

    loaded, agreement = loaded_one(case, "entrustment")  # the case page selects it with the case
    return agreement is not None if loaded else EntrustmentAgreement.objects.filter(case=case).exists()


ONCE_PER_CASE = frozenset({Kind.NOTICE, Kind.ACCEPTANCE_NOTICE, Kind.GRANT_DECISION, Kind.REFUSAL_DECISION})


def issuable_kinds(case: AidCase, user: User, documents: list[IssuedDocument] | None = None) -> list[tuple[str, str]]:
    """Return the kinds USER may issue for CASE at its current step (the action re-checks everything).

    A once-per-case document already issued (in DOCUMENTS, the case's list) is not offered again.
    """
    issued = {d.kind for d in documents or [] if d.is_current and not d.subject}
    status = case.status
    offered = {
        Kind.NOTICE: case.is_open and not case.decision,
        Kind.ORAL_RECORD: case.application_form == "oral" and status in AFTER_APPLICATION,
        Kind.MATERIALS_LIST: status in AFTER_APPLICATION,
        Kind.SUPPLEMENT_NOTICE: status == S.AWAITING_SUPPLEMENT,
        Kind.ACCEPTANCE_NOTICE: case.accepted_on is not None,
        Kind.REVIEW_REPORT: status in AFTER_OPINION,
        Kind.APPROVAL_FORM: status in AFTER_OPINION and approval_form_offer(case, documents or []) == ("issue", None),
        Kind.GRANT_DECISION: case.decision == AidCase.Decision.GRANT,
        Kind.REFUSAL_DECISION: case.decision == AidCase.Decision.REFUSE,
        Kind.SERVICE_RECEIPT: bool(case.decision) or status in AFTER_ACCEPTANCE,
        Kind.PAYMENT_RECEIPT: case.decision == AidCase.Decision.GRANT and status in AFTER_FUNDS,
        Kind.ENTRUSTMENT_AGREEMENT: case.decision == AidCase.Decision.GRANT and _entrusted(case),
        Kind.REFERRAL_LETTER: False,  # issued from the referral (support app), one per referral
    }
    return [(k.value, k.label) for k in Kind if offered[k] and not (k in ONCE_PER_CASE and k in issued)
            and may_issue(user, case, k)]


def may_issue(user: User, case: AidCase, kind: str) -> bool:
    """The one capability check of making a KIND document in CASE: the issue action refuses with it
    (actions._check_authority), the case page offers the kind only when it passes, and so does the issue page
    (finance makes the 救助金领取凭证 of a case it does not handle)."""
    return any(has_capability(user, cap, case.handling_org) for cap in SPECS[kind].capabilities)


def is_numbered(kind: str) -> bool:
    return kind in NUMBERED_KINDS


def approval_form_offer(case: AidCase, documents: list[IssuedDocument]) -> tuple[str, IssuedDocument | None] | None:
    """What making the 审批表 would do now: ("issue", None) the first time once the route has ended,
    ("remake", doc) when the current DOC no longer shows every step taken, None when it would be refused."""
    from jiuzhu.documents.context.review import latest_opinion, route_complete, route_taken

    opinion = latest_opinion(case)
    if opinion is None or not route_complete(case, opinion):
        return None
    current = next((d for d in documents if d.kind == Kind.APPROVAL_FORM and d.is_current
                    and d.subject == f"opinion:{opinion.pk}"), None)
    if current is None:
        return ("issue", None)
    if current.context.get("approval_steps") != route_taken(case, opinion):
        return ("remake", current)
    return None
