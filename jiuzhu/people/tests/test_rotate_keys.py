"""`jiuzhu rotate-keys`: add a key, rotate, remove the old key, and everything still decrypts; resumable."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from jiuzhu.cases.models import Attachment
from jiuzhu.documents import render
from jiuzhu.documents.models import Kind
from jiuzhu.documents.tests.conftest import case_for, handler, issued
from jiuzhu.lib import crypto, filecrypt
from jiuzhu.people import rotation
from jiuzhu.people.actions import find_person_by_id_number
from jiuzhu.people.models import Person

NEW_KEY = base64.b64encode(b"R" * 32).decode()


@pytest.fixture
def store(settings, tmp_path):  # type: ignore[no-untyped-def]
    """A private file store of this test's own (others' files, some deliberately damaged, stay out)."""
    root = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "jiuzhu.lib.storage.EncryptedFileSystemStorage",
                                                          "OPTIONS": {"location": str(root), "base_url": None}}}
    settings.PRIVATE_MEDIA_ROOT = root
    return root


def _data(world, client):  # type: ignore[no-untyped-def]
    """A granted case with its documents and a scan; return what must read back the same."""
    case, extra = case_for(world, Kind.GRANT_DECISION)
    h = handler(world)
    docs = [issued(case, k, h, extra) for k in (Kind.GRANT_DECISION, Kind.APPROVAL_FORM)]
    client.force_login(h)
    scan = b"%PDF-1.4\n% scan " + case.applicant.id_number.encode() + b"\n%%EOF\n"
    assert client.post(f"/cases/{case.pk}/attachments/", {"kind": "identity", "note": "",
                                                          "file": SimpleUploadedFile("id.pdf", scan)}).status_code == 302
    people = {p.pk: (p.id_number, p.phone, p.address, p.bank_account) for p in Person.objects.all()}
    return case, docs, scan, people


def _key_ids() -> set[tuple[bytes, str]]:
    """(key id, cipher) of every encrypted value in the database and every stored file."""
    seen = set()
    for t in rotation.targets():
        cols = ", ".join(connection.ops.quote_name(c.column) for c in t.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {cols} FROM {connection.ops.quote_name(t.model._meta.db_table)}")  # noqa: S608
            seen |= {crypto.describe(bytes(v)) for row in cursor.fetchall() for v in row if v is not None}
    for name in default_storage.all_names():
        with open(default_storage.path(name), "rb") as f:
            h = filecrypt.read_header(f)
            seen.add((h.key_id, h.cipher) if h else (b"", "plaintext"))
    return seen


def _reads_back(case, docs, scan, people, client) -> None:  # type: ignore[no-untyped-def]
    assert {p.pk: (p.id_number, p.phone, p.address, p.bank_account) for p in Person.objects.all()} == people
    for doc in docs:
        doc.refresh_from_db()
        assert render.matches(doc.docx, doc.docx_sha256)
    att = Attachment.objects.get(case=case)
    assert b"".join(client.get(f"/cases/{case.pk}/attachments/{att.pk}/").streaming_content) == scan
    assert find_person_by_id_number(case.applicant.id_number) == case.applicant


def test_it_moves_everything_to_a_new_key_so_the_old_one_can_be_removed(world, client, settings, store,
                                                                        tmp_path) -> None:
    case, docs, scan, people = _data(world, client)
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    old_id = crypto.newest_key_id()
    assert {k for k, _ in _key_ids()} == {old_id}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old]  # first: add the new key
    out = io.StringIO()
    call_command("rotate-keys", "--checkpoint", str(tmp_path / "cp.json"), stdout=out, stderr=io.StringIO())
    files = len(default_storage.all_names())  # the documents, their templates and the scan
    assert files >= 5
    assert "全部完成" in out.getvalue() and f"重新封装密钥 {files} 个" in out.getvalue()
    assert _key_ids() == {(crypto.newest_key_id(), "aes-256-gcm")} and crypto.newest_key_id() != old_id
    assert not (tmp_path / "cp.json").exists()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # then: remove the old key
    _reads_back(case, docs, scan, people, client)
    # A second run finds nothing to do.
    again = io.StringIO()
    call_command("rotate-keys", "--checkpoint", str(tmp_path / "cp.json"), stdout=again, stderr=io.StringIO())
    assert "重新加密 0 个值" in again.getvalue() and f"已是最新 {files} 个" in again.getvalue()


def test_an_interrupted_run_resumes_from_its_checkpoint(world, client, settings, store, tmp_path) -> None:
    case, docs, scan, people = _data(world, client)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, settings.FIELD_ENCRYPTION_KEYS[0]]
    cp = tmp_path / "cp.json"
    first = io.StringIO()
    call_command("rotate-keys", "--checkpoint", str(cp), "--batch-size", "1", "--max-batches", "2",
                 stdout=first, stderr=io.StringIO())
    assert "未完成" in first.getvalue() and cp.exists()
    assert len({k for k, _ in _key_ids()}) == 2  # part done, part still under the old key
    done_first = int(first.getvalue().split("重新加密 ")[1].split(" 个值")[0])
    assert 0 < done_first
    second = io.StringIO()
    call_command("rotate-keys", "--checkpoint", str(cp), stdout=second, stderr=io.StringIO())
    assert "全部完成" in second.getvalue() and not cp.exists()
    done_second = int(second.getvalue().split("重新加密 ")[1].split(" 个值")[0])
    # Resumed: the rows of the first run were not visited again (0 "already current" for them).
    fresh = io.StringIO()
    call_command("rotate-keys", "--checkpoint", str(cp), stdout=fresh, stderr=io.StringIO())
    total_values = int(fresh.getvalue().split("个值，")[1].split(" 个已是最新密钥")[0])
    assert done_first + done_second == total_values
    assert {k for k, _ in _key_ids()} == {crypto.newest_key_id()}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    _reads_back(case, docs, scan, people, client)


def test_it_moves_fields_files_and_blind_indexes_to_the_chinese_ciphers(world, client, settings, store,
                                                                        tmp_path) -> None:
    case, docs, scan, people = _data(world, client)
    before = Person.objects.get(pk=case.applicant.pk).id_number_bidx
    settings.FIELD_CIPHER = "sm4-gcm"
    settings.BLIND_INDEX_ALG = "hmac-sm3"
    assert find_person_by_id_number(case.applicant.id_number) is None  # the index changed with the algorithm
    out = io.StringIO()
    call_command("rotate-keys", "--checkpoint", str(tmp_path / "cp.json"), stdout=out, stderr=io.StringIO())
    assert f"重新加密 {len(default_storage.all_names())} 个" in out.getvalue().split("文件：")[1]
    assert {c for _, c in _key_ids()} == {"sm4-gcm"}
    assert Person.objects.get(pk=case.applicant.pk).id_number_bidx != before
    _reads_back(case, docs, scan, people, client)


def test_legacy_plaintext_files_are_read_only_when_allowed_and_rotation_encrypts_them(db, settings, store,
                                                                                       tmp_path) -> None:
    legacy = Path(store) / "cases" / "1" / "old-scan.pdf"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"%PDF-1.4 written before encryption 540528199001011234")
    settings.PRIVATE_FILES_READ_PLAINTEXT = False
    with pytest.raises(OSError, match="not encrypted"):
        default_storage.open("cases/1/old-scan.pdf")
    settings.PRIVATE_FILES_READ_PLAINTEXT = True
    with default_storage.open("cases/1/old-scan.pdf") as f:
        assert f.read().endswith(b"540528199001011234")
    settings.PRIVATE_FILES_READ_PLAINTEXT = False
    name = default_storage.save("cases/1/new.pdf", ContentFile(b"%PDF new"))
    summary = rotation.rotate(checkpoint=rotation.Checkpoint(tmp_path / "cp.json"))
    assert summary.files == {"encrypted": 1, "skipped": 1}
    assert b"540528199001011234" not in legacy.read_bytes()
    with default_storage.open("cases/1/old-scan.pdf") as f:
        assert f.read() == b"%PDF-1.4 written before encryption 540528199001011234"
    with default_storage.open(name) as f:
        assert f.read() == b"%PDF new"


def test_a_damaged_file_is_reported_and_does_not_stop_the_rotation(db, settings, store, tmp_path) -> None:
    bad = default_storage.save("a/bad.bin", ContentFile(b"x" * 100))
    good = default_storage.save("b/good.bin", ContentFile(b"y" * 100))
    with open(default_storage.path(bad), "ab") as f:
        f.write(b"!")
    stale = Path(default_storage.path(good) + ".rotating")  # what a killed run leaves behind
    stale.write_bytes(b"half")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, settings.FIELD_ENCRYPTION_KEYS[0]]
    summary = rotation.rotate(checkpoint=rotation.Checkpoint(tmp_path / "cp.json"))
    assert summary.damaged == [bad] and summary.files == {"rewrapped": 1} and not stale.exists()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with default_storage.open(good) as f:
        assert f.read() == b"y" * 100
