"""Bilingual papers for a Tibetan-reading applicant (issue 16): Chinese, then Tibetan, in the .docx and the
PDF, with the Tibetan font embedded; a Chinese applicant's papers stay Chinese only."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from docx import Document

from jiuzhu.documents import actions, pdf
from jiuzhu.documents.models import Kind
from jiuzhu.documents.tests.conftest import case_for, handler

pytestmark = pytest.mark.django_db
TIBETAN = re.compile(r"[\u0f00-\u0fff]")


def _bo_case(world, kind: str):  # type: ignore[no-untyped-def]
    case, extra = case_for(world, kind)
    # The walk-in's language as staff set it (the clue form's field); the action layer stores it.
    from jiuzhu.cases.models import AidCase

    AidCase.objects.filter(pk=case.pk).update(applicant_language="bo")
    case.refresh_from_db()
    return case, extra


def _docx_text(doc) -> str:  # type: ignore[no-untyped-def]
    with doc.docx.open("rb") as fh:
        return "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)


@pytest.mark.parametrize("kind, chinese, tibetan", [
    (Kind.NOTICE, "国家司法救助告知书", "རྒྱལ་ཁབ་ཀྱི་ཁྲིམས་དོན་སྐྱབས་སྐྱོར་ཞུ་བའི་ཐོབ་ཐང་བརྡ་ཁྱབ་ཡི་གེ"),
    (Kind.SUPPLEMENT_NOTICE, "补正材料通知书", "ཡིག་ཆ་ཁ་སྐོང་བརྡ་ཐོ།"),
    (Kind.ACCEPTANCE_NOTICE, "受理通知书", "ཞུ་སྙན་ལེན་པའི་བརྡ་ཐོ།"),
    (Kind.GRANT_DECISION, "国家司法救助决定书", "རྒྱལ་ཁབ་ཀྱི་ཁྲིམས་དོན་སྐྱབས་སྐྱོར་ཐག་གཅོད་ཡི་གེ"),
    (Kind.REFUSAL_DECISION, "不予", "སྐྱབས་སྐྱོར་མི་སྤྲོད་པའི་ཐག་གཅོད་ཡི་གེ"),
])
def test_the_papers_of_a_tibetan_applicant_are_chinese_then_tibetan(world, kind, chinese, tibetan) -> None:  # type: ignore[no-untyped-def]
    case, extra = _bo_case(world, kind)
    doc = actions.issue_document(case, kind, acting_user=handler(world), extra=extra)
    text = _docx_text(doc)
    head, _, tail = text.partition(tibetan)
    assert tail, f"no Tibetan part in {kind}"
    assert chinese in head and not TIBETAN.search(head.replace(case.applicant.display_name, ""))  # Chinese first
    assert "རྒྱ་ཡིག་ལ་གཞི་བཞག་དགོས།" in tail  # the Chinese text prevails, and the paper says so
    assert "ལོའི་ཟླ་" in tail  # dates in Tibetan
    if kind == Kind.GRANT_DECISION:
        assert f"སྒོར་ {case.decided_amount}" in tail
    if kind == Kind.SUPPLEMENT_NOTICE:
        assert "ཁ་སྐོང་ནས་འབུལ་རོགས།" in tail


def test_the_bilingual_pdf_embeds_the_tibetan_font_and_reads_back(world, pytestconfig) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    case, extra = _bo_case(world, Kind.ACCEPTANCE_NOTICE)
    doc = pdf.convert_now(actions.issue_document(case, Kind.ACCEPTANCE_NOTICE, acting_user=handler(world),
                                                 extra=extra).pk)
    with doc.pdf.open("rb") as fh:
        data = fh.read()
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acceptance-bo.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "受理通知书" in text.replace(" ", "")
    assert "ཞུ་སྙན་ལེན་པའི་བརྡ་ཐོ།" in text and "ཁྲིམས་གཞིའི་ཨང་གྲངས།" in text
    assert text.replace(" ", "").index("受理通知书") < text.index("ཞུ་སྙན་ལེན་པའི་བརྡ་ཐོ།")  # Chinese first
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    tib = [line for line in fonts.splitlines() if "Tibetan_Machine_Uni" in line or "TibetanMachineUni" in line]
    assert tib and tib[0].split()[-5] == "yes", fonts


def test_a_chinese_applicants_papers_have_no_tibetan(world) -> None:  # type: ignore[no-untyped-def]
    case, extra = case_for(world, Kind.ACCEPTANCE_NOTICE)
    assert case.applicant_language == "zh-hans"
    doc = actions.issue_document(case, Kind.ACCEPTANCE_NOTICE, acting_user=handler(world), extra=extra)
    assert not TIBETAN.search(_docx_text(doc))
