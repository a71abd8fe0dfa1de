"""Staff screens: scoping on every URL, bad input, uploads, exports and query counts."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Attachment, Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def jiacha(world, client):  # type: ignore[no-untyped-def]
    client.force_login(world.user("540528", "kongshen"))
    return client


def test_it_requires_login(client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_lists_only_the_users_jurisdiction_with_masked_id_numbers(world, jiacha) -> None:
    mine = world.to("accepted", "540528")
    other = world.to("accepted", "540527")
    html = jiacha.get("/?view=all").content.decode()
    assert mine.number in html and other.number not in html
    full = mine.applicant.id_number
    assert full not in html and mine.applicant.id_number_masked in html


@pytest.mark.parametrize("path", ["/cases/{pk}/", "/cases/{pk}/accept/", "/cases/{pk}/applicant/",
                                  "/cases/{pk}/people/{person}/reveal/id_number/",
                                  "/cases/{pk}/attachments/{att}/"])
def test_it_answers_404_for_another_countys_case_on_every_url(world, client, path) -> None:
    case = world.to("applied", "540528")
    att = Attachment.objects.create(case=case, kind="other", file="x", original_name="a.pdf",
                                    content_type="application/pdf", size=1, sha256="0" * 64,
                                    uploaded_by=world.user("540528", "kongshen"), uploaded_at=case.created_at)
    client.force_login(world.user("540527", "kongshen"))
    url = path.format(pk=case.pk, person=case.applicant_id, att=att.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "x", "reason": "x"}).status_code == 404
    AidCase.objects.get(pk=case.pk, status=Status.APPLIED)


def test_it_finds_nothing_of_another_county_by_search_or_export(world, client) -> None:
    case = world.to("applied", "540528")
    client.force_login(world.user("540527", "kongshen"))
    for q in (case.number, case.applicant.name, case.applicant.id_number):
        html = client.get("/search/", {"q": q}).content.decode()
        assert f'href="/cases/{case.pk}/"' not in html and "找到 0 件" in html
    wb = load_workbook(io.BytesIO(client.get("/cases/export.xlsx?view=all").content))
    assert all(case.number != row[0] for row in wb.active.iter_rows(values_only=True))


def test_it_answers_403_when_the_upper_procuratorate_tries_to_act(world, client) -> None:
    case = world.to("applied", "540528")
    client.force_login(world.user("540500", "kongshen"))
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.post(f"/cases/{case.pk}/accept/", {}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.APPLIED


def test_it_finds_a_case_by_id_number_through_the_blind_index_and_audits_it(world, jiacha) -> None:
    case = world.to("applied", "540528")
    html = jiacha.get("/search/", {"q": case.applicant.id_number.lower()}).content.decode()
    assert case.number in html
    assert AuditEntry.objects.filter(kind="search").count() == 1


def test_it_turns_bad_input_into_a_chinese_message_and_changes_nothing(world, jiacha) -> None:
    case = world.to("pending_approval", "540528")
    client = jiacha
    client.force_login(world.user("540528", "dept_head"))
    response = client.post(f"/cases/{case.pk}/decide_grant/", {"amount": "12.345", "reasons": "同意"})
    assert response.status_code == 400
    assert "金额最多保留两位小数" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/decide_grant/", {"amount": "-5", "reasons": "同意"})
    assert "金额必须大于零" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/decide_grant/", {"amount": "abc", "reasons": "同意"})
    assert "请输入金额" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL and case.decided_amount is None


def test_it_reports_a_wrong_id_number_clearly(world, client) -> None:
    client.force_login(world.user("540528", "case_prosecutor"))
    response = client.post("/cases/new/", {
        "org": world.orgs["540528"].pk, "channel": "case_department", "person_name": "扎西",
        "id_number": "540528198503141230", "offender_ability": "unknown", "clue_summary": "线索"})
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not AidCase.objects.exists()


def test_it_reports_an_action_that_no_longer_applies(world, client) -> None:
    case = world.to("granted", "540528")
    client.force_login(world.user("540528", "dept_head"))
    response = client.post(f"/cases/{case.pk}/decide_refuse/", {"grounds": ["X1"], "reasons": "不予救助"})
    assert response.status_code == 400
    assert "不能执行" in response.content.decode()


def test_it_rejects_an_unknown_action_name(world, jiacha) -> None:
    case = world.to("applied")
    assert jiacha.get(f"/cases/{case.pk}/explode/").status_code == 404


def test_it_uploads_and_serves_material_only_through_the_checked_view(world, jiacha, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = world.to("applied")
    response = jiacha.post(f"/cases/{case.pk}/attachments/",
                           {"kind": "hardship", "file": SimpleUploadedFile("困难证明.pdf", PDF), "note": ""})
    assert response.status_code == 302
    att = Attachment.objects.get(case=case)
    assert att.size == len(PDF) and att.content_type == "application/pdf"
    assert str(settings.PRIVATE_MEDIA_ROOT) in att.file.path
    download = jiacha.get(f"/cases/{case.pk}/attachments/{att.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEntry.objects.filter(kind="download", case=case).exists()
    assert case.events.filter(kind="attachment").exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("evil.exe", b"MZ\x90\x00", "只能上传"),
    ("fake.pdf", b"<html>not a pdf</html>", "内容与扩展名不符"),
])
def test_it_refuses_wrong_file_types(world, jiacha, name, content, message) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = world.to("applied")
    response = jiacha.post(f"/cases/{case.pk}/attachments/",
                           {"kind": "other", "file": SimpleUploadedFile(name, content)}, follow=True)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_it_refuses_files_over_the_size_limit(world, jiacha, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ATTACHMENT_MAX_BYTES = 1024
    case = world.to("applied")
    response = jiacha.post(f"/cases/{case.pk}/attachments/",
                           {"kind": "other", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)}, follow=True)
    assert "不能超过" in response.content.decode()
    assert not Attachment.objects.exists()


def test_it_exports_the_worklist_masked_and_records_the_export(world, jiacha) -> None:
    case = world.to("accepted")
    wb = load_workbook(io.BytesIO(jiacha.get("/cases/export.xlsx?view=all").content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号" and rows[1][0] == case.number
    assert rows[1][3] == case.applicant.id_number_masked
    assert all(case.applicant.id_number not in str(cell) for row in rows for cell in row)
    assert AuditEntry.objects.get(kind="export").detail["rows"] == 1


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_worklist_runs_a_fixed_number_of_queries(world, jiacha) -> None:
    # One case in a priority group: the support panel reads the rows of a non-empty list by key (an empty
    # list needs no second query), so both sides show each list in the same state, few rows against many.
    world.to("accepted", groups=["妇女"])
    few = _queries(jiacha, "/?view=all")
    for status in ["clue", "applied", "under_review", "pending_approval", "paid", "archived"] * 2:
        world.to(status, groups=["妇女", "残疾人"])
    assert _queries(jiacha, "/?view=all") == few
    assert _queries(jiacha, "/?view=overdue&group=妇女") <= few + 1


def test_the_case_page_runs_a_fixed_number_of_queries(world, jiacha) -> None:
    small = world.to("paid")
    big = world.to("paid", groups=["妇女", "老年人"])
    actions.add_party(big, acting_user=world.user("540528", "kongshen"), role="victim", **_victim(world))
    assert _queries(jiacha, f"/cases/{small.pk}/") == _queries(jiacha, f"/cases/{big.pk}/")


def _victim(world):  # type: ignore[no-untyped-def]
    p = world.person()
    return {"name": p["person_name"], "id_number": p["id_number"]}


def test_it_lists_what_waits_for_the_approvers_decision(world, client) -> None:
    waiting = world.to("pending_approval", "540528")
    world.to("under_review", "540528")
    elsewhere = world.to("pending_approval", "540527")
    client.force_login(world.user("540528", "dept_head"))
    html = client.get("/?view=to_approve").content.decode()
    assert waiting.number in html and elsewhere.number not in html
    assert "共 1 件" in html
    client.force_login(world.user("540500", "dept_head"))  # the city reads it but does not decide it
    assert waiting.number not in client.get("/?view=to_approve").content.decode()


def test_the_worklist_never_loads_encrypted_columns(world, jiacha) -> None:
    world.to("accepted")
    with CaptureQueriesContext(connection) as ctx:
        jiacha.get("/?view=all")
        jiacha.get("/search/", {"q": "540528"})
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "people_person" in sql
    for column in ("id_number\"", "phone\"", "address\"", "bank_account\""):
        assert f'"people_person"."{column}' not in sql
