"""Document screens: access → form → action → redirect; downloads only through these views."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from jiuzhu.accounts.models import User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.access import get_case_for_user
from jiuzhu.cases.models import AidCase
from jiuzhu.documents import actions, forms, queries
from jiuzhu.documents import render as docfiles
from jiuzhu.documents.context import SPECS
from jiuzhu.documents.models import IssuedDocument, Kind

logger = logging.getLogger("jiuzhu.documents")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _back(case: AidCase) -> str:
    return reverse("cases:detail", kwargs={"pk": case.pk}) + "#documents"


def _document_for_user(user: User, pk: int, *, write: bool = False) -> tuple[IssuedDocument, AidCase]:
    """Return document PK and its case if USER may see the case (404 otherwise; 403 for a write)."""
    doc = IssuedDocument.objects.filter(pk=pk).first()
    if doc is None:
        raise Http404("文书不存在")
    case = get_case_for_user(user, doc.case_id, write=write)
    return doc, case


def case_documents(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The documents of one case (the same list the case page includes)."""
    case = get_case_for_user(_user(request), case_pk)
    return render(request, "documents/case_documents.html", {"case": case})


def issue(request: HttpRequest, case_pk: int, kind: str) -> HttpResponse:
    user = _user(request)
    if kind not in Kind.values:
        raise Http404("没有这种文书")
    case = get_case_for_user(user, case_pk)
    if not queries.may_issue(user, case, kind):
        raise PermissionDenied(f"您无权制作本案的{Kind(kind).label}。")
    form = forms.IssueForm(request.POST if request.method == "POST" else None, kind=kind, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            doc = actions.issue_document(case, kind, acting_user=user, extra=form.extra())
        except ValidationError as e:
            for m in e.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已制作{doc.get_kind_display()}" + (f"，文号{doc.number}" if doc.number else "")
                             + "。PDF 稍后自动生成。")
            return redirect(_back(case))
    return render(request, "documents/form.html", {
        "case": case, "form": form, "heading": f"制作{Kind(kind).label}", "button": "确认制作",
        "intro": "文书制作后即固定并留存校验值，不能修改；如有错误，只能制作更正版本。"},
        status=400 if request.method == "POST" else 200)


def correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc, case = _document_for_user(user, pk, write=True)
    initial = dict(doc.extra)
    if doc.kind == Kind.APPROVAL_FORM and request.GET.get("reason") == "route":  # the case page's 重新制作审批表
        initial["reason"] = actions.APPROVAL_FORM_REMADE
    form = forms.CorrectForm(request.POST if request.method == "POST" else None, kind=doc.kind, case=case,
                             initial=initial)
    if request.method == "POST" and form.is_valid():
        extra = form.extra()
        reason = extra.pop("reason")
        try:
            new = actions.correct_document(doc, acting_user=user, reason=reason, extra=extra)
        except ValidationError as e:
            for m in e.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已制作{new.get_kind_display()}第{new.version}版（更正）。")
            return redirect(_back(case))
    return render(request, "documents/form.html", {
        "case": case, "form": form, "document": doc, "button": "确认更正",
        "heading": f"更正{doc.get_kind_display()}" + (f"（{doc.number}）" if doc.number else ""),
        "intro": "更正将按案件当前信息重新制作新版本，文号不变并注明“更正”；原版本作废但保留在案卷中。"},
        status=400 if request.method == "POST" else 200)


def service(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    doc, case = _document_for_user(user, pk, write=True)
    if not SPECS[doc.kind].servable:
        raise Http404("该文书不需要送达")
    initial = {"recipient": case.applicant.name if case.applicant else ""}
    form = forms.ServiceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_service(doc, acting_user=user, **form.cleaned_data)
        except ValidationError as e:
            for m in e.messages:
                form.add_error(None, m)
        else:
            messages.success(request, f"已登记{doc.get_kind_display()}的送达。")
            return redirect(_back(case))
    return render(request, "documents/form.html", {
        "case": case, "form": form, "document": doc, "button": "登记送达",
        "heading": f"登记送达：{doc.get_kind_display()}" + (f"（{doc.number}）" if doc.number else ""),
        "intro": "直接送达的，受送达人在送达回证上签名；邮寄送达的，保存检察专递回执。"},
        status=400 if request.method == "POST" else 200)


def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Serve the frozen file after checking its hash; a changed file is refused and logged."""
    user = _user(request)
    if fmt not in CONTENT_TYPES:
        raise Http404("没有这种格式")
    doc, case = _document_for_user(user, pk)
    from jiuzhu.accounts.access import has_capability
    from jiuzhu.accounts.models import Capability

    if not has_capability(user, Capability.REVEAL_PII):
        # Documents carry full names, ID numbers and addresses: like a reveal, they need the right.
        raise PermissionDenied("文书含有个人敏感信息，您无权下载。")
    field, expected = (doc.docx, doc.docx_sha256) if fmt == "docx" else (doc.pdf, doc.pdf_sha256)
    if not field:
        raise Http404("PDF 尚在生成中，请稍后再试。" if not doc.pdf_error else doc.pdf_error)
    try:
        data = docfiles.read(field)
    except OSError:
        data = b""
    # The bytes served are the bytes checked: no window between the check and the response.
    if docfiles.sha256(data) != expected:
        logger.error("document %s: stored %s does not match its hash; download refused (user %s)",
                     doc.pk, fmt, user.pk)
        return render(request, "documents/file_refused.html", {"case": case, "document": doc}, status=409)
    label = doc.get_kind_display()
    audit(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=case, field=label, document=doc.pk, format=fmt,
          number=doc.number, version=doc.version)
    # The file name says what the document is, never whom it concerns (minors' names stay in the file).
    filename = f"{case.number}-{label}-第{doc.version}版.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
