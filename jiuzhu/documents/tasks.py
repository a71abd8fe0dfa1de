"""Background work on documents, run by the django.tasks database worker (`jiuzhu db_worker`)."""

from __future__ import annotations

import logging

from django.tasks import task

from jiuzhu.documents import pdf

logger = logging.getLogger("jiuzhu.documents")


@task()
def convert_document(document_id: int) -> str:
    """Convert an issued document's .docx to PDF with LibreOffice and store it; return the PDF's SHA-256."""
    doc = pdf.convert_now(document_id)
    logger.info("document %s converted to PDF", doc.pk)
    return doc.pdf_sha256
