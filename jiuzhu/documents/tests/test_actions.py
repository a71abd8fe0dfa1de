"""Issuing, correcting and serving documents: authority, state, events, frozen files, personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.models import CaseEvent
from jiuzhu.documents import actions
from jiuzhu.documents.models import IssuedDocument, Kind, ServiceRecord
from jiuzhu.documents.tests.conftest import AMOUNT, case_for, docx_of, handler, refused, text_of
from jiuzhu.lib import clock


def test_it_writes_a_case_event_with_the_number_in_the_same_transaction(world) -> None:
    case, extra = case_for(world, Kind.GRANT_DECISION)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)
    event = CaseEvent.objects.get(case=case, action="issue_document", data__kind=Kind.GRANT_DECISION)
    assert event.kind == CaseEvent.Kind.RECORD and doc.number in event.note
    assert event.data["document"] == doc.pk and event.actor == handler(world)
    assert case.applicant.name not in event.note


def test_it_refuses_a_document_that_does_not_fit_the_cases_step_in_chinese(world) -> None:
    h = handler(world)
    with pytest.raises(ValidationError, match="尚未决定给予救助"):
        actions.issue_document(refused(world), Kind.GRANT_DECISION, acting_user=h)
    with pytest.raises(ValidationError, match="未决定不予救助"):
        actions.issue_document(world.to("granted", amount=AMOUNT), Kind.REFUSAL_DECISION, acting_user=h)
    with pytest.raises(ValidationError, match="尚未受理"):
        actions.issue_document(world.to("applied"), Kind.ACCEPTANCE_NOTICE, acting_user=h)
    # Nothing was made but the 审批表 of each completed route (made when the route completes).
    assert set(IssuedDocument.objects.values_list("kind", flat=True)) == {Kind.APPROVAL_FORM}


def test_it_never_issues_the_same_document_twice(world) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    first = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    with pytest.raises(ValidationError, match="不能重复制作"):
        actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    assert IssuedDocument.objects.filter(case=case, kind=Kind.GRANT_DECISION).count() == 1
    assert first.number in str(IssuedDocument.objects.get(pk=first.pk))


def test_it_checks_the_issuers_authority(world) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    with pytest.raises(PermissionDenied):  # the case department only notifies
        actions.issue_document(case, Kind.GRANT_DECISION, acting_user=world.user("540528", "case_prosecutor"))
    with pytest.raises(PermissionDenied):  # another county
        actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world, "540527"))
    with pytest.raises(PermissionDenied):  # the city reads its counties' cases but does not act on them
        actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world, "540500"))
    with pytest.raises(PermissionDenied):  # an approver issues decisions, not review reports
        actions.issue_document(case, Kind.REVIEW_REPORT, acting_user=world.user("540528", "deputy_chief"))
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=world.user("540528", "deputy_chief"))
    assert doc.issued_by == world.user("540528", "deputy_chief")
    notice_case = world.to("notified")
    assert actions.issue_document(notice_case, Kind.NOTICE, acting_user=world.user("540528", "case_prosecutor"))


def test_it_links_a_correction_to_the_old_version_and_supersedes_it(world) -> None:
    case, extra = case_for(world, Kind.GRANT_DECISION)
    h = handler(world)
    old = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h, extra=extra)
    old_hash = old.docx_sha256
    case_actions.update_applicant(case, acting_user=h, ethnicity="藏族")
    new = actions.correct_document(old, acting_user=h, reason="申请人民族漏填，已补正。")
    old.refresh_from_db()
    assert (old.status, new.status) == (IssuedDocument.Status.SUPERSEDED, IssuedDocument.Status.ISSUED)
    assert new.replaces == old and new.version == 2 and old.replaced_by == new
    assert new.number == old.number and new.serial == old.serial
    assert old.docx_sha256 == old_hash and new.docx_sha256 != old_hash  # the old file is kept as it was
    text = text_of(docx_of(new))
    assert f"{old.number}（更正）" in text and "藏族" in text and "申请人民族漏填" in text
    assert "本案系联合救助" in text  # the first issue's input carries over
    assert "藏族" not in text_of(docx_of(old))
    event = CaseEvent.objects.get(case=case, action="correct_document")
    assert event.data == {"document": new.pk, "replaces": old.pk, "kind": Kind.GRANT_DECISION,
                          "number": old.number, "version": 2}
    with pytest.raises(ValidationError, match="已被更正"):
        actions.correct_document(old, acting_user=h, reason="再次更正")
    with pytest.raises(ValidationError, match="更正原因"):
        actions.correct_document(new, acting_user=h, reason=" ")


def test_it_keeps_identifiers_masked_in_the_stored_snapshot(world) -> None:
    case, extra = case_for(world, Kind.APPROVAL_FORM)
    doc = IssuedDocument.objects.get(case=case, kind=Kind.APPROVAL_FORM)  # made when the route completed
    a = case.applicant
    snapshot = str(IssuedDocument.objects.get(pk=doc.pk).context)
    assert a.id_number not in snapshot and a.phone not in snapshot and a.address not in snapshot
    assert a.id_number_masked in snapshot
    text = text_of(docx_of(doc))  # the 审批表 is read by approvers: the numbers masked, as on screen
    assert a.id_number not in text and a.phone not in text and a.id_number_masked in text
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)
    assert a.id_number in text_of(docx_of(decision))  # the decision, in the case file, in full
    assert a.id_number not in str(IssuedDocument.objects.get(pk=decision.pk).context)


def test_it_puts_a_minors_full_name_in_the_document_but_not_in_the_event_or_list(world, client) -> None:
    case = world.to("granted", amount=AMOUNT, person=world.person(age=12))
    assert case.applicant.is_minor
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    assert case.applicant.name in text_of(docx_of(doc))
    assert all(case.applicant.name not in e.note for e in CaseEvent.objects.filter(case=case))
    client.force_login(handler(world))
    html = client.get(f"/documents/cases/{case.pk}/").content.decode()
    assert doc.number in html and case.applicant.name not in html.split('id="documents"')[1]
    response = client.get(f"/documents/{doc.pk}/docx/")
    assert case.applicant.name not in response["Content-Disposition"]


def test_it_records_service_with_the_signers_id_number_encrypted(world) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    h = handler(world)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    signer_id = world.person()["id_number"]
    service = actions.record_service(doc, acting_user=h, method=ServiceRecord.Method.PROXY, served_on=clock.today(),
                                     recipient=case.applicant.name, signer_name="次仁", signer_relationship="丈夫",
                                     signer_id_number=signer_id)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT signer_id_number FROM documents_servicerecord WHERE id = %s", [service.pk])
        raw = bytes(c.fetchone()[0])
    assert signer_id.encode() not in raw
    assert ServiceRecord.objects.get(pk=service.pk).signer_id_number == signer_id
    assert service.signer_id_masked == signer_id[:6] + "********" + signer_id[-4:]
    assert CaseEvent.objects.filter(case=case, action="record_service").count() == 1
    receipt = actions.issue_document(case, Kind.SERVICE_RECEIPT, acting_user=h)
    text = text_of(docx_of(receipt))
    assert "代为签收" in text and "次仁，丈夫" in text and doc.number in text


def test_it_turns_bad_service_input_into_chinese_messages(world) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    h = handler(world)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"method": "proxy", "signer_name": ""}, "代为签收"),
        ({"served_on": clock.today() + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"signer_id_number": "123"}, "身份证号码应为18位"),
        ({"method": "carrier_pigeon"}, "请选择送达方式"),
    ]
    for override, message in cases:
        kwargs: dict[str, Any] = {"method": "direct", "served_on": clock.today(), "recipient": "本人", **override}
        with pytest.raises(ValidationError, match=message):
            actions.record_service(doc, acting_user=h, **kwargs)
    report = actions.issue_document(case, Kind.REVIEW_REPORT, acting_user=h)
    with pytest.raises(ValidationError, match="不需要送达"):
        actions.record_service(report, acting_user=h, method="direct", served_on=clock.today(), recipient="本人")
    assert not ServiceRecord.objects.exists()


def test_it_removes_the_file_when_the_issue_fails(world, monkeypatch) -> None:
    from django.core.files.storage import default_storage

    case, _ = case_for(world, Kind.GRANT_DECISION)
    written: list[str] = []
    real_store = actions._store

    def store_then_fail(doc, data, names):  # type: ignore[no-untyped-def]
        real_store(doc, data, names)
        written.extend(names)
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "_store", store_then_fail)
    with pytest.raises(RuntimeError):
        actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    assert written and not default_storage.exists(written[0])
