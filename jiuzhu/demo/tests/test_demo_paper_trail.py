"""The demo holds an archived case with its whole paper trail and a case in 回访 whose visits were planned from
the payment (issue 13, "Done when")."""

from __future__ import annotations

import io

import pytest
from docx import Document

from jiuzhu.cases.models import AidCase, CaseEvent, Status
from jiuzhu.documents import render
from jiuzhu.documents.context import SPECS
from jiuzhu.documents.dossier import checklist
from jiuzhu.documents.models import IssuedDocument
from jiuzhu.lib import clock
from jiuzhu.orgs.policy import get_setting
from jiuzhu.support.actions import add_months
from jiuzhu.support.models import Visit

pytestmark = pytest.mark.django_db

DOSSIER = {"acceptance_notice", "review_report", "approval_form", "grant_decision", "payment_receipt"}


def test_the_demo_has_an_archived_case_with_its_paper_trail(demo_loaded) -> None:
    archived = [c for c in AidCase.objects.filter(status=Status.ARCHIVED, archived_on__year=clock.today().year,
                                                  decision=AidCase.Decision.GRANT)
                if DOSSIER <= set(IssuedDocument.objects.filter(case=c, status="issued").values_list("kind", flat=True))]
    assert archived, "no archived case of this year with every document of its dossier"
    case = archived[0]
    docs = list(IssuedDocument.objects.filter(case=case, status="issued").prefetch_related("services"))
    for d in docs:
        if SPECS[d.kind].servable:
            assert d.services.all(), f"{d.get_kind_display()} not served"
    steps = list(case.approval_steps.order_by("seq").select_related("actor"))
    assert len(steps) >= 2 and all(s.status == "approved" for s in steps)
    [form] = [d for d in docs if d.kind == "approval_form"]
    # Made by the route's completion (the automatic path): by the one who took the last step, with the decision.
    assert form.issued_by == steps[-1].actor and form.issued_at >= max(s.acted_at for s in steps)
    made = CaseEvent.objects.get(case=case, action="issue_document", data__document=form.pk)
    decided = CaseEvent.objects.get(case=case, action="decide_grant")
    assert made.at.date() == decided.at.date() and made.pk > decided.pk
    # Every step on it, in order: role, opinion, signer.
    rows = [[c.text for c in r.cells] for r in Document(io.BytesIO(render.read(form.docx))).tables[-1].rows[1:]]
    assert [r[0] for r in rows] == [s.label for s in steps]
    for row, s in zip(rows, steps, strict=True):
        assert (s.comment in row[1]) and row[2] == (s.actor.full_name or s.actor.username)
    # Every document of the dossier issued, and every one that is served, served.
    assert DOSSIER <= {d.kind for d in docs}
    assert case.paid_amount == case.decided_amount
    assert all(c.ok for c in checklist(case) if c.blocks_archive)
    assert Visit.objects.filter(case=case, held_on__isnull=False).exists()  # the visit record is in the dossier


def test_the_demo_has_a_follow_up_case_with_visits_from_the_payment(demo_loaded) -> None:
    cases = list(AidCase.objects.filter(status=Status.FOLLOW_UP))
    assert cases
    case = next(c for c in cases if c.handling_org.code == "540527")
    months = get_setting(case.handling_org, "support.visit_months")
    visits = list(Visit.objects.filter(case=case).order_by("months_after"))
    assert [(v.months_after, v.due_on) for v in visits] == [(m, add_months(case.paid_on, m)) for m in sorted(months)]
    assert visits[0].held_on is not None  # the first visit moved the case to 回访
    planned = CaseEvent.objects.get(case=case, action="schedule_visits")
    paid = CaseEvent.objects.get(case=case, new_status=Status.PAID)
    entered = CaseEvent.objects.get(case=case, action="start_follow_up")
    assert paid.at <= planned.at <= entered.at  # planned by the payment, before any visit
