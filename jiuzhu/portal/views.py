"""The public applicant portal (/apply/): no staff login; the session holds the proven mobile number."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.lib import crypto, i18n
from jiuzhu.lib.netaddr import client_ip
from jiuzhu.lib.params import int_id
from jiuzhu.notifications import outbound
from jiuzhu.notifications.sms import SmsError
from jiuzhu.people.idcard import mask_phone
from jiuzhu.portal import actions, otp, queries
from jiuzhu.portal import forms as pforms
from jiuzhu.portal.models import OnlineApplication

SESSION_BIDX = "portal_phone_bidx"
SESSION_PHONE = "portal_phone"
SESSION_MASKED = "portal_phone_masked"
SESSION_IDLE_SECONDS = 30 * 60
PHONE_CONTEXT = "portal.session.phone"


def _phone(request: HttpRequest) -> str:
    blob = request.session.get(SESSION_PHONE)
    return crypto.decrypt(base64.b64decode(blob), context=PHONE_CONTEXT) if blob else ""


def applicant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let in only a session that proved a number by SMS code (else: to the login page)."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bidx = request.session.get(SESSION_BIDX)
        if not bidx:
            return redirect(reverse("portal:login") + "?next=" + request.path)
        request.session.set_expiry(SESSION_IDLE_SECONDS)
        return view(request, bidx, *args, **kwargs)

    return wrapped


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("masked_phone", request.session.get(SESSION_MASKED, ""))
    return render(request, f"portal/{template}", context, status=status)


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return _render(request, "home.html", {"steps": pforms.STEPS, "languages": i18n.APPLICANT_LANGUAGES})


SESSION_LANGUAGE = "portal_language"


@require_POST
@login_not_required
def language(request: HttpRequest) -> HttpResponse:
    """Choose the portal's language (first screen): remembered in a cookie for a year and in the session."""
    code = i18n.applicant_language(request.POST.get("language"))
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) \
            or not next_url.startswith("/apply/"):
        next_url = reverse("portal:home")
    request.session[SESSION_LANGUAGE] = code
    response = redirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE, httponly=True,
                        secure=request.is_secure())
    return response


def current_language(request: HttpRequest) -> str:
    return i18n.applicant_language(translation.get_language())


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) \
            or not next_url.startswith("/apply/"):
        next_url = reverse("portal:mine")
    phone_value = request.POST.get("phone", "").strip()[:20]
    errors: dict[str, list[str]] = {}
    sent = False
    if request.method == "POST" and "send" in request.POST:
        try:
            phone = otp.normalise_phone(phone_value)
            code = otp.issue(phone, ip=client_ip(request))
            outbound.send_now(phone, outbound.render("otp", code=code, minutes=otp.OTP_MINUTES,
                                                  language=current_language(request)))
            otp.record_message(phone)
            sent = True
        except ValidationError as e:
            errors["phone"] = e.messages
        except SmsError:
            errors["phone"] = [_("短信发送失败，请稍后再试。")]
    elif request.method == "POST":
        try:
            phone = otp.normalise_phone(phone_value)
            try:
                bidx = otp.verify(phone, request.POST.get("code", ""))
            except ValidationError as e:
                errors["code"] = e.messages
        except ValidationError as e:
            errors["phone"] = e.messages
        if not errors:
            request.session.cycle_key()  # a new session id after login (no fixation)
            request.session[SESSION_BIDX] = bidx
            request.session[SESSION_PHONE] = base64.b64encode(
                crypto.encrypt(phone, context=PHONE_CONTEXT)).decode()
            request.session[SESSION_MASKED] = mask_phone(phone)
            request.session.set_expiry(SESSION_IDLE_SECONDS)
            return redirect(next_url)
    return _render(request, "login.html", {"phone": phone_value, "errors": errors, "sent": sent, "next": next_url,
                                           "minutes": otp.OTP_MINUTES}, status=400 if errors else 200)


@require_POST
@login_not_required
def logout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("portal:home")


@applicant_required
def mine(request: HttpRequest, bidx: str) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            app = actions.new_draft(phone=_phone(request), phone_bidx=bidx, language=current_language(request))
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            return redirect("portal:step", pk=app.pk, step=pforms.STEP_KEYS[0])
    apps = list(queries.applications_of(bidx))
    return _render(request, "mine.html", {"apps": apps, "error": error}, status=400 if error else 200)


def _nav(app: OnlineApplication, current: str) -> list[dict[str, Any]]:
    return [{"key": k, "title": t, "n": i + 1, "done": i < app.step, "current": k == current,
             "reachable": i <= app.step} for i, (k, t, _) in enumerate(pforms.STEPS)] + [
        {"key": "submit", "title": _("核对并提交"), "n": len(pforms.STEPS) + 1, "done": False,
         "current": current == "submit", "reachable": app.step >= len(pforms.STEPS)}]


@applicant_required
def step(request: HttpRequest, bidx: str, pk: int, step: str) -> HttpResponse:
    app = queries.application_for(bidx, pk)
    if app.state != OnlineApplication.State.DRAFT:
        return redirect("portal:status", pk=app.pk)
    if step not in pforms.STEP_KEYS or step == "materials":
        raise Http404("步骤不存在")
    index = pforms.STEP_KEYS.index(step)
    if index > app.step:
        return redirect("portal:step", pk=app.pk, step=pforms.STEP_KEYS[app.step])
    form_class = pforms.STEPS[index][2]
    assert form_class is not None
    initial = actions.answers_of(app).get(step) or {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_step(app, step, form.cleaned_data)
        if "save_only" in request.POST:
            return _render(request, "saved.html", {"app": app})
        nxt = pforms.STEP_KEYS[index + 1]
        if nxt == "materials":
            return redirect("portal:materials", pk=app.pk)
        return redirect("portal:step", pk=app.pk, step=nxt)
    return _render(request, "step.html", {"app": app, "form": form, "title": pforms.STEPS[index][1],
                                          "nav": _nav(app, step), "step": step,
                                          "prev": pforms.STEP_KEYS[index - 1] if index else None},
                   status=400 if form.is_bound else 200)


@applicant_required
def materials(request: HttpRequest, bidx: str, pk: int) -> HttpResponse:
    app = queries.application_for(bidx, pk)
    if app.state != OnlineApplication.State.DRAFT:
        return redirect("portal:status", pk=app.pk)
    if app.step < pforms.STEP_KEYS.index("materials"):
        return redirect("portal:step", pk=app.pk, step=pforms.STEP_KEYS[app.step])
    form = pforms.MaterialForm(request.POST or None, request.FILES or None)
    status, errors = 200, []
    if request.method == "POST":
        if "remove" in request.POST:
            actions.remove_file(app, int_id(request.POST["remove"]) or 0)
            return redirect("portal:materials", pk=app.pk)
        if "next" in request.POST:
            if not app.files.exists():
                # An unbound form takes no errors (add_error on it was a 500): the message goes alongside.
                form, errors, status = pforms.MaterialForm(), [_("请至少上传一份材料。")], 400
            else:
                actions.save_step(app, "materials", {"count": app.files.count()})
                return redirect("portal:submit", pk=app.pk)
        elif form.is_valid():
            try:
                actions.add_file(app, kind=form.cleaned_data["kind"], f=form.cleaned_data["file"])
            except ValidationError as e:
                form.add_error(None, e.messages)
                status = 400
            else:
                return redirect("portal:materials", pk=app.pk)
        else:
            status = 400
    return _render(request, "materials.html", {"app": app, "form": form, "errors": errors,
                                               "files": list(app.files.all()),
                                               "nav": _nav(app, "materials"),
                                               "needs_proxy": actions.answers_of(app).get("applicant", {})
                                               .get("capacity") in ("legal_rep", "agent")}, status=status)


@applicant_required
def submit(request: HttpRequest, bidx: str, pk: int) -> HttpResponse:
    app = queries.application_for(bidx, pk)
    if app.state != OnlineApplication.State.DRAFT:
        return redirect("portal:status", pk=app.pk)
    form = pforms.SubmitForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            app = actions.submit(app, language=current_language(request))
        except ValidationError as e:
            errors = e.messages
        else:
            return redirect(reverse("portal:status", kwargs={"pk": app.pk}) + "?submitted=1")
    return _render(request, "submit.html", {
        "app": app, "form": form, "errors": errors or actions.problems(app), "answers": queries.readable_answers(app),
        "files": list(app.files.all()), "nav": _nav(app, "submit")}, status=400 if form.is_bound else 200)


@applicant_required
def status(request: HttpRequest, bidx: str, pk: int) -> HttpResponse:
    app = queries.application_for(bidx, pk)
    if app.state == OnlineApplication.State.DRAFT:
        materials = pforms.STEP_KEYS.index("materials")
        if app.step > materials:
            return redirect("portal:submit", pk=app.pk)
        if app.step == materials:
            return redirect("portal:materials", pk=app.pk)
        return redirect("portal:step", pk=app.pk, step=pforms.STEP_KEYS[app.step])
    form = pforms.MaterialForm(request.POST or None, request.FILES or None)
    code = 200
    info = queries.status_of(app)
    errors: list[str] = []
    if request.method == "POST" and "done" in request.POST:
        # She says she has sent everything asked for: only now does the case resume.
        form = pforms.MaterialForm()
        try:
            actions.finish_supplement(app)
        except ValidationError as e:
            errors, code = e.messages, 400
        else:
            return redirect(reverse("portal:status", kwargs={"pk": app.pk}) + "?supplemented=1")
    elif request.method == "POST":
        if form.is_valid():
            try:
                actions.add_supplement_file(app, kind=form.cleaned_data["kind"], f=form.cleaned_data["file"])
            except ValidationError as e:
                form.add_error(None, e.messages)
                code = 400
            else:
                return redirect(reverse("portal:status", kwargs={"pk": app.pk}) + "?uploaded=1#missing")
        else:
            code = 400
    return _render(request, "status.html", {
        "app": app, "info": info, "form": form, "files": list(app.files.all()), "errors": errors,
        "pending": actions.pending_supplement_files(app) if info.get("status") == "awaiting_supplement" else [],
        "uploaded": "uploaded" in request.GET,
        "submitted": "submitted" in request.GET, "supplemented": "supplemented" in request.GET}, status=code)


@applicant_required
def receipt(request: HttpRequest, bidx: str, pk: int) -> HttpResponse:
    from jiuzhu.portal.receipt import receipt_pdf

    app = queries.application_for(bidx, pk)
    if app.state == OnlineApplication.State.DRAFT:
        raise Http404("申请尚未提交")
    response = HttpResponse(receipt_pdf(app), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{app.receipt_number}.pdf"'
    return response


@applicant_required
def document(request: HttpRequest, bidx: str, pk: int, doc_pk: int) -> Any:
    app = queries.application_for(bidx, pk)
    doc = next((d for d in queries.status_of(app)["documents"] if d.pk == doc_pk), None)
    if doc is None:
        raise Http404("文书不存在")
    return FileResponse(doc.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"{doc.get_kind_display()}.pdf")
