"""PDF through LibreOffice: Chinese drawn with the mapped CJK faces, and the background worker converting."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from jiuzhu.documents import actions, pdf, render
from jiuzhu.documents.models import IssuedDocument, Kind
from jiuzhu.documents.tests.conftest import case_for, handler


def _artifacts(pytestconfig: pytest.Config) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _dark_share(pdf_path: Path) -> float:
    """Return the share of dark pixels on page 1 rendered at 60 dpi in grey (PGM)."""
    pgm = subprocess.run(["pdftoppm", "-r", "60", "-gray", "-f", "1", "-l", "1", str(pdf_path)],
                         capture_output=True, check=True).stdout
    assert pgm.startswith(b"P5")
    fields = pgm.split(maxsplit=4)  # P5, width, height, maxval, pixels
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][-width * height:]
    return sum(1 for b in pixels if b < 128) / (width * height)


def _check_pdf(data: bytes, name: str, folder: Path, must_read: list[str]) -> None:
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(folder / f"{name}-page1")], check=True)
    assert (folder / f"{name}-page1.png").stat().st_size > 5000
    share = _dark_share(path)
    assert 0.005 < share < 0.5, share  # text on the page, not a blank or black page
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    faces = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    # Every face is a mapped CJK one: a missing mapping shows up as DejaVu/Liberation (boxes for Chinese).
    assert faces and all("NotoSerifCJK" in f or "NotoSansCJK" in f for f in faces), faces
    assert any("Bold" in f for f in faces), faces  # 方正小标宋简体 → Noto Serif CJK SC Bold
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for needle in must_read:
        assert needle in text.replace(" ", ""), needle


def test_it_converts_the_decisions_to_pdf_with_chinese_glyphs(world, pytestconfig) -> None:
    folder = _artifacts(pytestconfig)
    grant_case, extra = case_for(world, Kind.GRANT_DECISION)
    grant = actions.issue_document(grant_case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)
    refusal_case, _ = case_for(world, Kind.REFUSAL_DECISION)
    refusal = actions.issue_document(refusal_case, Kind.REFUSAL_DECISION, acting_user=handler(world))
    # Two conversions at once: each soffice has its own profile, so neither fails.
    other: dict[str, bytes] = {}
    thread = threading.Thread(target=lambda: other.update(pdf=pdf.docx_to_pdf(render.read(refusal.docx))))
    thread.start()
    stored = pdf.convert_now(grant.pk)
    thread.join(300)
    assert stored.pdf and render.matches(stored.pdf, stored.pdf_sha256) and stored.pdf_converted_at
    assert pdf.convert_now(grant.pk).pdf_sha256 == stored.pdf_sha256  # frozen: not converted again
    _check_pdf(render.read(stored.pdf), "grant_decision", folder,
               ["国家司法救助决定书", grant.number, grant_case.applicant.name])
    _check_pdf(other["pdf"], "refusal_decision", folder,
               ["不予国家司法救助决定书", refusal.number, refusal_case.applicant.name])


def test_it_does_not_convert_a_tampered_docx(world) -> None:
    case, _ = case_for(world, Kind.ACCEPTANCE_NOTICE)
    doc = actions.issue_document(case, Kind.ACCEPTANCE_NOTICE, acting_user=handler(world))
    with open(doc.docx.path, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(pdf.TamperedFile):
        pdf.convert_now(doc.pk)
    doc.refresh_from_db()
    assert not doc.pdf and "校验失败" in doc.pdf_error


def test_it_maps_the_official_font_names_in_its_fontconfig_file() -> None:
    xml = pdf.fontconfig_xml()
    assert "/etc/fonts/fonts.conf" in xml and str(pdf.FONTS_CONF) in xml
    xml = pdf.FONTS_CONF.read_text(encoding="utf-8")  # the aliases shipped with Jiuzhu
    for family, target in [("仿宋_GB2312", "Noto Serif CJK SC"), ("方正小标宋简体", "Noto Serif CJK SC"),
                           ("黑体", "Noto Sans CJK SC"), ("楷体_GB2312", "AR PL UKai CN")]:
        assert f"<string>{family}</string>" in xml and f"<string>{target}</string>" in xml


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_converts_in_the_background_worker(world, client) -> None:
    from django_tasks_db.models import DBTaskResult

    case, extra = case_for(world, Kind.GRANT_DECISION)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world), extra=extra)
    # One conversion task per document: the 审批表's (made when the route completed) and the decision's.
    tasks = {t.args_kwargs["args"][0]: t for t in DBTaskResult.objects.filter(
        task_path="jiuzhu.documents.tasks.convert_document")}
    assert set(tasks) == set(IssuedDocument.objects.filter(case=case).values_list("pk", flat=True))
    task = tasks[doc.pk]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    doc.refresh_from_db()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.exception_class_path
    assert doc.pdf and render.matches(doc.pdf, doc.pdf_sha256)
    client.force_login(handler(world))
    response = client.get(f"/documents/{doc.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert IssuedDocument.objects.get(pk=doc.pk).pdf_sha256 == render.sha256(response.content)
