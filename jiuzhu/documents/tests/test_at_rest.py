"""Issue 11, finding 4: nothing under the private file root holds an ID number or a phone in clear.

Documents are issued and a scan is uploaded through the real actions and views; then every stored
file's raw bytes are searched, and every .docx/.xlsx member is decompressed and searched too (so it is
not just zip compression hiding the number). Downloads must still give back the exact bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.cases.models import Attachment
from jiuzhu.documents import actions, pdf, render
from jiuzhu.documents.models import Kind
from jiuzhu.documents.tests.conftest import case_for, handler, issued


def _clear_texts(data: bytes) -> list[bytes]:
    """DATA and, if it is a zip (docx, xlsx), every member decompressed."""
    out = [data]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out += [z.read(n) for n in z.namelist()]
    return out


def _stored_files() -> list[Path]:
    return [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


def _leaks(secrets: list[str]) -> list[str]:
    found = []
    for path in _stored_files():
        for text in _clear_texts(path.read_bytes()):
            found += [f"{path.name}: {s}" for s in secrets if s.encode() in text]
    return found


def test_it_stores_no_id_number_or_phone_in_clear_and_downloads_the_exact_bytes(world, client) -> None:
    case, extra = case_for(world, Kind.GRANT_DECISION)
    person = case.applicant
    assert person.id_number and person.phone
    h = handler(world)
    decision = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h, extra=extra)
    approval = issued(case, Kind.APPROVAL_FORM, h)  # made when the route completed
    # What the documents say in full (the case file must): both numbers are really in them.
    plain = render.read(decision.docx)
    assert any(person.id_number.encode() in t for t in _clear_texts(plain))
    assert render.matches(decision.docx, decision.docx_sha256)  # the hash is over the plaintext
    # A scan of the ID card, uploaded through the staff screen.
    scan = b"%PDF-1.4\n% ID " + person.id_number.encode() + b" tel " + person.phone.encode() + b"\n%%EOF\n"
    client.force_login(h)
    r = client.post(f"/cases/{case.pk}/attachments/",
                    {"kind": "identity", "file": SimpleUploadedFile("身份证.pdf", scan), "note": ""})
    assert r.status_code == 302
    att = Attachment.objects.get(case=case)

    assert len(_stored_files()) >= 3
    assert _leaks([person.id_number, person.phone]) == []

    download = client.get(f"/cases/{case.pk}/attachments/{att.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == scan
    assert int(download["Content-Length"]) == len(scan)
    for doc in (decision, approval):
        got = client.get(f"/documents/{doc.pk}/docx/")
        assert got.status_code == 200
        body = b"".join(got.streaming_content) if got.streaming else got.content
        assert body == render.read(doc.docx) and render.sha256(body) == doc.docx_sha256


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed")
def test_the_worker_converts_an_encrypted_docx_and_stores_the_pdf_encrypted(world) -> None:
    case, extra = case_for(world, Kind.GRANT_DECISION)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)
    doc = pdf.convert_now(doc.pk)
    data = render.read(doc.pdf)
    assert data.startswith(b"%PDF") and render.sha256(data) == doc.pdf_sha256
    raw = Path(doc.pdf.path).read_bytes()
    assert not raw.startswith(b"%PDF") and data not in raw
