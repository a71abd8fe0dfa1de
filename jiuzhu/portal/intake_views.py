"""Staff screens: the intake queue of online applications and clues (/intake/)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.models import Capability, User
from jiuzhu.audit.actions import record as audit
from jiuzhu.audit.models import AuditEntry
from jiuzhu.people.idcard import mask_phone
from jiuzhu.portal import actions, queries
from jiuzhu.portal.models import OnlineApplication


class RegisterForm(forms.Form):
    then = forms.ChoiceField(choices=[("", "仅登记"), ("accept", "登记并受理"), ("supplement", "登记并通知补正")],
                             required=False)
    missing = forms.CharField(label="需要补正的材料", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _get(user: User, pk: int) -> OnlineApplication:
    app = queries.intake_queue(user).filter(pk=pk).first()
    if app is None:
        raise Http404("申请不存在")
    return app


def queue(request: HttpRequest) -> HttpResponse:
    qs = queries.intake_queue(_user(request))
    if request.GET.get("all") != "1":
        qs = qs.filter(state=OnlineApplication.State.SUBMITTED)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "portal/intake_list.html", {"page": page, "all": request.GET.get("all") == "1"})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    app = _get(user, pk)
    return render(request, "portal/intake_detail.html", {
        "app": app, "answers": queries.readable_answers(app, mask=True), "phone": mask_phone(str(app.phone)), "files": list(app.files.all()),
        "form": RegisterForm(), "can_register": has_capability(user, Capability.HANDLE_CASES, app.org)})


@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    app = _get(user, pk)
    if not has_capability(user, Capability.HANDLE_CASES, app.org):
        raise PermissionDenied("您只能查看该申请，不能登记。")
    form = RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作不正确。")
        return redirect("intake:detail", pk=app.pk)
    try:
        case = actions.register(app, acting_user=user, then=form.cleaned_data["then"],
                                missing=form.cleaned_data["missing"])
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("intake:detail", pk=app.pk)
    messages.success(request, f"已登记为救助案件 {case.number}。")
    return redirect("cases:detail", pk=case.pk)


def download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    user = _user(request)
    app = _get(user, pk)
    if not has_capability(user, Capability.REVEAL_PII):
        raise PermissionDenied("材料含有个人敏感信息，您无权下载。")
    pf = app.files.filter(pk=file_pk).first()
    if pf is None:
        raise Http404("材料不存在")
    audit(AuditEntry.Kind.DOWNLOAD, acting_user=user, case=app.case, field=pf.original_name[:40],
          online_application=app.pk, portal_file=pf.pk)
    response = FileResponse(pf.file.open("rb"), content_type=pf.content_type, as_attachment=True,
                            filename=pf.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
