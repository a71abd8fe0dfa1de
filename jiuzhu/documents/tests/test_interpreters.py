"""Interpreters on the record (issue 16): named on the oral application, talks, home visits and services,
ID encrypted and masked, shown with a signature line on the 口头申请笔录 and the 送达回证."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from docx import Document

from jiuzhu.cases import actions as case_actions
from jiuzhu.cases.actions.common import CaseActionError
from jiuzhu.cases.models import Record
from jiuzhu.documents import actions
from jiuzhu.documents.models import Kind, ServiceRecord
from jiuzhu.documents.tests.conftest import case_for, handler

pytestmark = pytest.mark.django_db
INTERPRETER_ID = "540528199001011239"  # invented, valid check digit


def _text(doc) -> str:  # type: ignore[no-untyped-def]
    with doc.docx.open("rb") as fh:
        d = Document(io.BytesIO(fh.read()))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return bytes(cur.fetchone()[0])


def test_the_oral_application_record_names_the_interpreter_masked_with_a_signature_line(world) -> None:  # type: ignore[no-untyped-def]
    case = world.to("notified")
    case_actions.register_application(case, acting_user=handler(world), form="oral",
                                      oral_record="我儿子被人打伤。\n请求救助。", interpreter_name="扎西",
                                      interpreter_id_number=INTERPRETER_ID, interpreter_language="bo")
    record = Record.objects.get(case=case, kind="oral_application")
    assert record.interpreter_id_masked == "540528********1239"
    assert INTERPRETER_ID.encode() not in _raw("cases_record", "interpreter_id_number", record.pk)
    assert str(record.interpreter_id_number) == INTERPRETER_ID  # decrypts for an authorised read
    doc = actions.issue_document(case, Kind.ORAL_RECORD, acting_user=handler(world))
    text = _text(doc)
    assert "翻译人员：扎西（藏语，身份证号码540528********1239）" in text and "翻译人员（签名）：" in text
    assert INTERPRETER_ID not in text


def test_a_record_without_an_interpreter_has_no_interpreter_lines(world) -> None:  # type: ignore[no-untyped-def]
    case = world.to("notified")
    case_actions.register_application(case, acting_user=handler(world), form="oral", oral_record="请求救助。")
    text = _text(actions.issue_document(case, Kind.ORAL_RECORD, acting_user=handler(world)))
    assert "翻译人员" not in text


def test_talks_and_home_visits_take_an_interpreter_and_refuse_bad_details(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from jiuzhu.lib import clock

    case = world.to("under_review")
    record = case_actions.add_record(case, acting_user=handler(world), kind="home_visit", held_on=clock.today(),
                                     content="走访申请人家中。", interpreter_name="卓嘎", interpreter_language="bo")
    assert record.interpreter_name == "卓嘎" and record.interpreter_id_masked == ""
    for bad, message in [({"interpreter_id_number": INTERPRETER_ID, "interpreter_language": "bo"}, "姓名"),
                         ({"interpreter_name": "卓嘎", "interpreter_language": "fr"}, "语言"),
                         ({"interpreter_name": "卓嘎", "interpreter_language": "bo",
                           "interpreter_id_number": "540528199001011230"}, "翻译人员")]:
        with pytest.raises(CaseActionError) as e:
            case_actions.add_record(case, acting_user=handler(world), kind="investigation",
                                    held_on=clock.today() - dt.timedelta(days=0), content="谈话。", **bad)
        assert message in e.value.messages[0]
    assert Record.objects.filter(case=case).count() == 1  # nothing written by the refused ones


def test_the_service_receipt_shows_the_interpreter(world) -> None:  # type: ignore[no-untyped-def]
    from jiuzhu.lib import clock

    case, extra = case_for(world, Kind.SERVICE_RECEIPT)
    decision = case.documents.get(kind=Kind.GRANT_DECISION)
    service = actions.record_service(decision, acting_user=handler(world), method="direct", served_on=clock.today(),
                                     recipient="本人", interpreter_name="扎西", interpreter_id_number=INTERPRETER_ID,
                                     interpreter_language="bo")
    assert INTERPRETER_ID.encode() not in _raw("documents_servicerecord", "interpreter_id_number", service.pk)
    assert ServiceRecord.objects.get(pk=service.pk).interpreter_id_masked == "540528********1239"
    text = _text(actions.issue_document(case, Kind.SERVICE_RECEIPT, acting_user=handler(world), extra=extra))
    assert "翻译人员：扎西（藏语，身份证号码540528********1239）" in text and "翻译人员（签名）：" in text
