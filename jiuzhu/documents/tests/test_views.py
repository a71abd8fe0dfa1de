"""Document screens: scoping, downloads checked against their hashes and audited, forms in Chinese."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.audit.models import AuditEntry
from jiuzhu.documents import actions
from jiuzhu.documents.models import IssuedDocument, Kind, ServiceRecord
from jiuzhu.documents.tests.conftest import AMOUNT, case_for, handler


@pytest.fixture
def granted_doc(world):  # type: ignore[no-untyped-def]
    case, extra = case_for(world, Kind.GRANT_DECISION)
    return actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)


def test_it_serves_the_handler_and_answers_404_to_another_county(world, client, granted_doc) -> None:
    client.force_login(world.user("540527", "kongshen"))
    for url in (f"/documents/{granted_doc.pk}/docx/", f"/documents/{granted_doc.pk}/pdf/",
                f"/documents/{granted_doc.pk}/correct/", f"/documents/{granted_doc.pk}/service/",
                f"/documents/cases/{granted_doc.case_id}/", f"/documents/cases/{granted_doc.case_id}/issue/notice/"):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.exists()
    client.force_login(handler(world))
    response = client.get(f"/documents/{granted_doc.pk}/docx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.DOWNLOAD)
    assert entry.case_id == granted_doc.case_id and entry.detail["document"] == granted_doc.pk
    assert entry.actor == handler(world)


def test_it_lets_the_city_read_but_not_issue(world, client, granted_doc) -> None:
    client.force_login(world.user("540500", "kongshen"))
    assert client.get(f"/documents/{granted_doc.pk}/docx/").status_code == 200
    assert client.post(f"/documents/cases/{granted_doc.case_id}/issue/review_report/").status_code == 403
    assert client.post(f"/documents/{granted_doc.pk}/correct/", {"reason": "x"}).status_code == 403


def test_it_refuses_a_tampered_file_and_logs_an_error(world, client, granted_doc, caplog) -> None:
    path = granted_doc.docx.path
    with open(path, "r+b") as f:
        f.seek(100)
        f.write(b"X")
    client.force_login(handler(world))
    with caplog.at_level(logging.ERROR, logger="jiuzhu.documents"):
        response = client.get(f"/documents/{granted_doc.pk}/docx/")
    assert response.status_code == 409
    assert "校验失败" in response.content.decode()
    assert any("does not match its hash" in r.message for r in caplog.records)
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.DOWNLOAD).exists()


def test_it_says_the_pdf_is_not_ready_yet(world, client, granted_doc) -> None:
    client.force_login(handler(world))
    response = client.get(f"/documents/{granted_doc.pk}/pdf/")
    assert response.status_code == 404


def test_it_issues_through_the_form_and_shows_the_list(world, client) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    client.force_login(handler(world))
    page = client.get(f"/documents/cases/{case.pk}/issue/grant_decision/").content.decode()
    assert "联合救助说明" in page and "发放方式" in page
    response = client.post(f"/documents/cases/{case.pk}/issue/grant_decision/",
                           {"payment_method": "instalments", "joint_aid": ""})
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/#documents")
    doc = IssuedDocument.objects.get(case=case, kind=Kind.GRANT_DECISION)
    assert doc.extra == {"payment_method": "instalments"}
    html = client.get(f"/documents/cases/{case.pk}/").content.decode()
    assert doc.number in html and "PDF生成中" in html and "登记送达" in html
    assert f"/documents/cases/{case.pk}/issue/grant_decision/" not in html  # issued once per case
    assert f"/documents/cases/{case.pk}/issue/review_report/" in html
    again = client.post(f"/documents/cases/{case.pk}/issue/grant_decision/", {})
    assert again.status_code == 400 and "不能重复制作" in again.content.decode()


def test_it_corrects_and_records_service_through_forms(world, client, granted_doc) -> None:
    client.force_login(handler(world))
    bad = client.post(f"/documents/{granted_doc.pk}/service/", {"method": "proxy", "served_on": "2026-01-01",
                                                                "recipient": "本人"})
    assert bad.status_code == 400 and "代为签收" in bad.content.decode()
    assert client.post(f"/documents/{granted_doc.pk}/correct/", {"reason": ""}).status_code == 400
    response = client.post(f"/documents/{granted_doc.pk}/correct/", {"reason": "金额大写有误"})
    assert response.status_code == 302
    new = IssuedDocument.objects.get(replaces=granted_doc)
    from jiuzhu.lib import clock

    ok = client.post(f"/documents/{new.pk}/service/", {"method": "direct", "served_on": clock.today().isoformat(),
                                                       "recipient": "本人"})
    assert ok.status_code == 302 and ServiceRecord.objects.get().document == new


def test_it_lists_a_cases_documents_in_a_fixed_number_of_queries(world) -> None:
    from jiuzhu.documents.queries import documents_for_case

    case = world.to("awaiting_payment", amount=AMOUNT)
    h = handler(world)
    actions.issue_document(case, Kind.ACCEPTANCE_NOTICE, acting_user=h)
    with CaptureQueriesContext(connection) as few:
        documents_for_case(case)
    for kind in (Kind.REVIEW_REPORT, Kind.GRANT_DECISION, Kind.PAYMENT_RECEIPT):  # the 审批表 came with the route
        actions.issue_document(case, kind, acting_user=h)
    with CaptureQueriesContext(connection) as many:
        docs = documents_for_case(case)
        [(d.issued_by.username, d.service_count) for d in docs]  # type: ignore[attr-defined]
    assert len(docs) == 5 and len(few) == len(many) == 1
