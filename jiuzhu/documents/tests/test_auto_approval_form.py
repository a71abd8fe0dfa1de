"""Issue 13: the 审批表 is made automatically when the approval route completes (the route-completed event),
re-made as a new version when one made earlier no longer shows the route, and never while the route is open."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.models import AidCase, ApprovalStep, Status
from jiuzhu.demo.world import approve_route, approver_for
from jiuzhu.documents import actions, queries
from jiuzhu.documents.models import IssuedDocument, Kind
from jiuzhu.documents.tests.conftest import AMOUNT, docx_of, handler

pytestmark = pytest.mark.django_db

ROUTE = ["部门负责人", "分管副检察长", "检察长办公会"]


def _rows(doc: IssuedDocument) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in docx_of(doc).tables[-1].rows[1:]]


def _forms(case: AidCase) -> list[IssuedDocument]:
    return list(IssuedDocument.objects.filter(case=case, kind=Kind.APPROVAL_FORM).order_by("version"))


def _approve_all_but_last(world, case: AidCase) -> None:
    code = case.handling_org.code
    while True:
        step = case.approval_steps.get(status=ApprovalStep.Status.PENDING)
        if not case.approval_steps.filter(opinion=step.opinion, seq__gt=step.seq).exists():
            return  # the last step: the decision
        case_actions.approve_step(case, acting_user=approver_for(world.demo, code, step.role),
                                  comment=f"{step.label}：同意。")


def test_it_makes_one_approval_form_with_every_step_when_the_route_completes(world) -> None:
    case = world.to("pending_approval", amount=AMOUNT)
    _approve_all_but_last(world, case)
    assert case.approval_steps.filter(status=ApprovalStep.Status.APPROVED).count() == 2
    assert _forms(case) == []  # two steps taken, the route still open: nothing made
    approve_route(world.demo, case, amount=Decimal(AMOUNT), reasons="经集体研究，决定救助。")
    case.refresh_from_db()
    assert case.status == Status.GRANTED
    [form] = _forms(case)
    rows = _rows(form)
    steps = list(case.approval_steps.order_by("seq").select_related("actor"))
    assert [r[0] for r in rows] == ROUTE
    for row, step in zip(rows, steps, strict=True):
        assert step.comment in row[1] and row[2] == (step.actor.full_name or step.actor.username)
    assert form.issued_by == steps[-1].actor and form.version == 1
    # It is not offered again: the case page shows neither 制作审批表 nor 重新制作.
    docs = queries.documents_for_case(case)
    assert queries.approval_form_offer(case, docs) is None
    assert Kind.APPROVAL_FORM not in dict(queries.issuable_kinds(case, handler(world), docs))
    with pytest.raises(ValidationError, match="不能重复制作"):
        actions.issue_document(case, Kind.APPROVAL_FORM, acting_user=handler(world))


def test_a_refusal_route_makes_its_approval_form_too(world) -> None:
    case = world.to("pending_approval")
    approve_route(world.demo, case, refuse="申请人的生活困难并非本案犯罪行为所致。", grounds=["X5"])
    case.refresh_from_db()
    assert case.status == Status.REFUSED
    [form] = _forms(case)
    rows = _rows(form)
    assert [r[0] for r in rows] == ROUTE and "生活困难并非本案犯罪行为所致" in rows[-1][1]
    assert form.context["approval_text"].startswith("不予救助")


def test_a_form_made_before_the_route_changed_is_remade_as_version_2_when_it_completes(world) -> None:
    from jiuzhu.documents.context import kinds

    case = world.to("pending_approval", amount=AMOUNT)
    spec = kinds.SPECS[Kind.APPROVAL_FORM]  # made the old way, before the approvals (only the opinion on it)
    kinds.SPECS[Kind.APPROVAL_FORM] = dataclasses.replace(spec, subject=kinds._subject_opinion)
    try:
        early = actions.issue_document(case, Kind.APPROVAL_FORM, acting_user=handler(world))
    finally:
        kinds.SPECS[Kind.APPROVAL_FORM] = spec
    approve_route(world.demo, case, amount=Decimal(AMOUNT))
    old, new = _forms(case)
    assert old.pk == early.pk and old.status == IssuedDocument.Status.SUPERSEDED
    assert (new.version, new.status, new.replaces_id) == (2, IssuedDocument.Status.ISSUED, early.pk)
    assert new.correction_reason == actions.APPROVAL_FORM_REMADE
    assert [r[0] for r in _rows(new)] == ROUTE
    case.refresh_from_db()
    assert queries.approval_form_offer(case, queries.documents_for_case(case)) is None


def test_when_the_form_cannot_be_made_the_decision_is_refused_and_nothing_changes(world, monkeypatch) -> None:
    case = world.to("pending_approval", amount=AMOUNT)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise case_actions.CaseActionError("文书模板文件校验失败，请联系系统管理员。")

    monkeypatch.setattr(actions, "_issue_here", broken)
    with pytest.raises(ValidationError, match="模板文件校验失败"):
        approve_route(world.demo, case, amount=Decimal(AMOUNT))
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL and not case.decision
    assert case.approval_steps.filter(status=ApprovalStep.Status.PENDING).count() == 1
    assert _forms(case) == []
