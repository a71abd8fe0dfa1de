"""The admin: replacement templates checked and used for the uploading procuratorate's subtree."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from jiuzhu.documents import actions, builder
from jiuzhu.documents.models import DocumentTemplate, IssuedDocument, Kind
from jiuzhu.documents.tests.conftest import case_for, docx_of, handler, text_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(*lines: str) -> bytes:
    d = Document(io.BytesIO(builder.build_default_template(Kind.GRANT_DECISION)))
    for line in lines:
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _upload(client, world, data: bytes, org: str = "540500"):  # type: ignore[no-untyped-def]
    return client.post("/admin/documents/documenttemplate/add/", {
        "kind": Kind.GRANT_DECISION, "org": world.orgs[org].pk, "note": "山南市院格式",
        "upload": SimpleUploadedFile("模板.docx", data, content_type=DOCX)})


def test_it_accepts_a_replacement_template_and_uses_it_below_the_uploader(world, admin_client) -> None:
    response = _upload(admin_client, world, _docx("山南市院文书样式 {{ case_number }}"))
    assert response.status_code == 302, response.content.decode()[:2000]
    tpl = DocumentTemplate.objects.get(org=world.orgs["540500"])
    assert tpl.is_active and tpl.version == 1 and "case_number" in tpl.placeholders
    page = admin_client.get(f"/admin/documents/documenttemplate/{tpl.pk}/change/").content.decode()
    assert "case_number（救助案件编号）" in page
    assert admin_client.get(f"/admin/documents/documenttemplate/{tpl.pk}/file/").content.startswith(b"PK")
    case, _ = case_for(world, Kind.GRANT_DECISION)  # in 加查县, below 山南市
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    assert doc.template == tpl and f"山南市院文书样式 {case.number}" in text_of(docx_of(doc))
    _upload(admin_client, world, _docx("第二版"))
    versions = DocumentTemplate.objects.filter(org=world.orgs["540500"]).order_by("version")
    assert [(t.version, t.is_active) for t in versions] == [(1, False), (2, True)]


def test_it_rejects_a_file_that_is_not_a_docx_or_uses_unknown_placeholders(world, admin_client) -> None:
    html = _upload(admin_client, world, b"%PDF-1.4 not a word file").content.decode()
    assert "不是有效的 Word" in html
    html = _upload(admin_client, world, _docx("{{ applicant_nmae }}")).content.decode()
    assert "系统不认识的占位符：applicant_nmae" in html
    html = _upload(admin_client, world, _docx("{{ applicant_name ")).content.decode()
    assert "模板无法解析" in html
    assert not DocumentTemplate.objects.filter(org__isnull=False).exists()


def test_it_shows_issued_documents_and_sequences_read_only(world, admin_client) -> None:
    case, _ = case_for(world, Kind.GRANT_DECISION)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    assert doc.number in admin_client.get("/admin/documents/issueddocument/").content.decode()
    page = admin_client.get(f"/admin/documents/issueddocument/{doc.pk}/change/").content.decode()
    assert case.applicant.name not in page  # metadata only, not the case file's contents
    assert admin_client.get("/admin/documents/issueddocument/add/").status_code == 403
    assert admin_client.get("/admin/documents/numbersequence/").status_code == 200
    assert admin_client.post(f"/admin/documents/issueddocument/{doc.pk}/delete/").status_code == 403
    assert IssuedDocument.objects.filter(pk=doc.pk).exists()


def test_it_builds_the_national_templates_on_demand_and_by_command(world, tmp_path) -> None:
    from django.core.management import call_command

    call_command("document_templates", "--export", str(tmp_path), stdout=io.StringIO())
    assert DocumentTemplate.objects.filter(org__isnull=True, is_active=True).count() == len(Kind)
    assert len(list(tmp_path.glob("*.docx"))) == len(Kind)
    call_command("document_templates", stdout=io.StringIO())
    assert DocumentTemplate.objects.count() == len(Kind)
