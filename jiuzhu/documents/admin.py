"""Admin: replace templates (checked .docx uploads), 文号 formats and 机关代字; issued documents read-only.

The administrator sees document metadata only: never the filled-in contents of a case's documents.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from jiuzhu.accounts.admin_scope import PROVINCE, ScopedAdmin, ScopedReadOnlyAdmin
from jiuzhu.cases.actions import CaseActionError, CasePermissionError
from jiuzhu.documents import actions, numbering, render
from jiuzhu.documents.context import FIELDS
from jiuzhu.documents.models import (
    DocumentTemplate,
    IssuedDocument,
    IssuerCode,
    NumberPattern,
    NumberSequence,
    ServiceRecord,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
ISSUED_FIELDS = ("case", "org", "kind", "number", "serial", "version", "replaces", "correction_reason", "status",
                 "docx_sha256", "pdf_sha256", "pdf_converted_at", "pdf_error", "template", "issued_by", "issued_at")
SERVICE_FIELDS = ("document", "method", "served_on", "signer_relationship", "signer_id_masked", "note", "recorded_by",
                  "recorded_at")


class ReadOnlyAdmin(ScopedReadOnlyAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TemplateUploadForm(forms.ModelForm):
    upload = forms.FileField(label="模板文件（.docx）",
                             help_text="在 Word 中编辑默认模板后上传；占位符写作 {{ applicant_name }} 等，"
                                       "上传后成为该范围内的启用版本。")

    class Meta:
        model = DocumentTemplate
        fields = ["kind", "org", "note"]

    acting_user: Any = None  # set by DocumentTemplateAdmin.get_form for the request

    def clean_upload(self) -> Any:
        f = self.cleaned_data["upload"]
        if f.size > MAX_TEMPLATE_BYTES:
            raise ValidationError("模板文件不能超过 5 MB。")
        self.template_bytes = f.read()
        return f

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Issue 11, finding 1: a national (org empty) template is used everywhere; only a superuser
        # or a top-level administrator may change it.
        if not self.has_error("org") and not actions.may_change_templates(self.acting_user, cleaned.get("org")):
            self.add_error("org", actions.NATIONAL_TEMPLATE_REFUSED if cleaned.get("org") is None
                           else "您只能为本院及下级院上传文书模板。")
        data = getattr(self, "template_bytes", None)
        if data is not None and cleaned.get("kind"):
            try:  # the file must open, and every tag must be on the sandbox's allow-list for this kind
                self.template_placeholders = render.placeholders(data, cleaned["kind"])
            except ValidationError as e:
                self.add_error("upload", e)
        return cleaned


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ScopedAdmin):
    national = PROVINCE  # national templates (org empty): read-only below the province
    list_display = ["kind", "scope", "version", "is_active", "placeholder_count", "uploaded_at", "uploaded_by",
                    "download"]
    list_filter = ["kind", "is_active"]
    actions = ["activate"]
    readonly_fields = ["kind", "org", "version", "is_active", "note", "sha256", "placeholder_list", "uploaded_at",
                       "uploaded_by", "download"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TemplateUploadForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.acting_user = request.user  # type: ignore[attr-defined]  # a fresh class per request (modelform_factory)
        return form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["kind", "org", "upload", "note"]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # issued documents point at their template; deactivate instead

    def save_model(self, request: HttpRequest, obj: DocumentTemplate, form: Any, change: bool) -> None:
        if change:
            return
        new = actions.upload_template(obj.kind, org=obj.org, data=form.template_bytes,
                                      acting_user=request.user, note=obj.note)  # type: ignore[arg-type]
        for name in ("id", "version", "sha256", "placeholders", "file", "is_active", "uploaded_at", "uploaded_by_id"):
            setattr(obj, name, getattr(new, name))
        obj._state = new._state

    @admin.display(description="适用范围")
    def scope(self, obj: DocumentTemplate) -> str:
        return obj.org.name if obj.org else "全国默认"

    @admin.display(description="占位符数")
    def placeholder_count(self, obj: DocumentTemplate) -> int:
        return len(obj.placeholders)

    @admin.display(description="占位符说明")
    def placeholder_list(self, obj: DocumentTemplate) -> str:
        return "；".join(f"{name}（{FIELDS.get(name, '未知')}）" for name in obj.placeholders)

    @admin.display(description="文件")
    def download(self, obj: DocumentTemplate) -> str:
        if not obj.pk:
            return ""
        return format_html('<a href="{}">下载</a>', reverse("admin:documents_documenttemplate_file", args=[obj.pk]))

    @admin.action(description="启用所选模板（同一范围的其他版本停用）")
    def activate(self, request: HttpRequest, queryset: Any) -> None:
        for tpl in queryset:
            try:
                actions.activate_template(tpl, acting_user=request.user)  # type: ignore[arg-type]
            except CasePermissionError as e:  # a national template, or another subtree
                messages.error(request, f"{tpl}：{e}")
                return
            except CaseActionError as e:  # the stored file fails the allow-list
                messages.error(request, f"{tpl}：{''.join(e.messages)}")
                return
        messages.success(request, "已启用所选模板。")

    def get_urls(self) -> list[Any]:
        return [path("<int:pk>/file/", self.admin_site.admin_view(self.file_view),
                     name="documents_documenttemplate_file"), *super().get_urls()]

    def file_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        tpl = get_object_or_404(self.get_queryset(request), pk=pk)
        response = HttpResponse(render.read(tpl.file), content_type=DOCX)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{tpl.get_kind_display()}-{'全国默认' if not tpl.org_id else tpl.org_id}-第{tpl.version}版.docx")
        return response


class NumberPatternForm(forms.ModelForm):
    class Meta:
        model = NumberPattern
        fields = ["org", "kind", "pattern"]

    def clean_pattern(self) -> str:
        return numbering.check_pattern(self.cleaned_data["pattern"])


@admin.register(NumberPattern)
class NumberPatternAdmin(ScopedAdmin):
    national = PROVINCE
    form = NumberPatternForm
    list_display = ["kind", "org", "pattern"]
    list_filter = ["kind"]


@admin.register(IssuerCode)
class IssuerCodeAdmin(ScopedAdmin):
    list_display = ["org", "code", "derived"]

    @admin.display(description="系统推定的代字")
    def derived(self, obj: IssuerCode) -> str:
        return numbering.derive_issuer_code(obj.org)


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["org", "year", "kind", "last"]
    list_filter = ["year", "kind"]


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "number", "version", "status", "case", "org", "issued_by", "issued_at", "has_pdf"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "case__number"]
    # Metadata only: the filled-in contents (context, extra) belong to the case file.
    fields = ISSUED_FIELDS
    readonly_fields = ISSUED_FIELDS

    @admin.display(description="PDF", boolean=True)
    def has_pdf(self, obj: IssuedDocument) -> bool:
        return bool(obj.pdf)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdmin):
    scope_field = "document__org"
    list_display = ["document", "method", "served_on", "recorded_by", "recorded_at"]
    fields = SERVICE_FIELDS
    readonly_fields = SERVICE_FIELDS
