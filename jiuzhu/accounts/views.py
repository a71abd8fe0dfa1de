"""Staff login: password (with lockout), then the second factor; enrolment and backup codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from jiuzhu.accounts import twofactor
from jiuzhu.accounts.models import User
from jiuzhu.audit.actions import record
from jiuzhu.audit.models import AuditEntry
from jiuzhu.lib.netaddr import client_ip


class TokenForm(forms.Form):
    token = forms.CharField(label="验证码", max_length=20, strip=True,
                            error_messages={"required": "请输入验证码。"})


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, nxt: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse(name)}?{urlencode({'next': nxt})}"


class StaffLoginView(auth_views.LoginView):
    """Django's login view, audited; after the password it sends the user on to the second factor."""

    template_name = "accounts/login.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # logs in: the user_logged_in receiver marks the session
        user = form.get_user()
        owed = self.request.session.get(twofactor.SESSION_KEY, "")
        record(AuditEntry.Kind.LOGIN, acting_user=user, ip=client_ip(self.request),
               second_factor=owed or "none")
        if owed == twofactor.VERIFY:
            return HttpResponseRedirect(_with_next("twofactor_verify", self.get_success_url()))
        if owed == twofactor.ENROL:
            return HttpResponseRedirect(_with_next("twofactor_setup", self.get_success_url()))
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        request = self.request
        username = (request.POST.get("username") or "")[:150]
        user = User.objects.filter(username=username).first() if username else None
        locked = bool(getattr(request, "axes_locked_out", False))
        if user is not None:
            record(AuditEntry.Kind.LOGIN_FAILED, acting_user=user, ip=client_ip(request), locked=locked)
            if locked and getattr(request, "axes_failures_since_start", 0) == settings.AXES_FAILURE_LIMIT:
                record(AuditEntry.Kind.LOCKOUT, acting_user=user, ip=client_ip(request),
                       failures=settings.AXES_FAILURE_LIMIT)
        return super().form_invalid(form)  # a lockout is turned into the lockout page by AxesMiddleware


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the authenticator app or a backup code."""
    if not request.user.is_authenticated:
        return redirect("login")
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next(request))
    if not twofactor.has_device(user):
        return HttpResponseRedirect(_with_next("twofactor_setup", _next(request)))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, message = twofactor.verify(request, form.cleaned_data["token"])
        if ok:
            return HttpResponseRedirect(_next(request))
        form.add_error("token", message)
    return render(request, "accounts/twofactor_verify.html", {"form": form, "next": _next(request)},
                  status=200 if not form.errors else 400)


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code, the secret by hand, a code to confirm; then backup codes."""
    if not request.user.is_authenticated:
        return redirect("login")
    user: User = request.user  # type: ignore[assignment]
    if twofactor.has_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Replacing a device needs the old one first.
        return HttpResponseRedirect(_with_next("twofactor_verify", _next(request)))
    device = twofactor.start_enrolment(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(request, device, form.cleaned_data["token"])
        if codes is not None:
            return render(request, "accounts/twofactor_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", "验证码不正确，请核对手机时间后重新输入。")
    return render(request, "accounts/twofactor_setup.html", {
        "form": form, "next": _next(request), "qr_svg": twofactor.qr_svg(device),
        "secret": " ".join(twofactor.secret_base32(device)[i:i + 4] for i in range(0, 32, 4)),
        "required": twofactor.is_required(user),
    }, status=200 if not form.errors else 400)


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """The user's own 2FA page: status, new backup codes."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        if not user.is_verified():  # type: ignore[attr-defined]
            messages.error(request, "请先完成两步验证。")
            return redirect("twofactor_security")
        codes = twofactor.new_backup_codes(user)
        record(AuditEntry.Kind.OTP_ENROL, acting_user=user, ip=client_ip(request), backup_codes="regenerated")
        return render(request, "accounts/twofactor_codes.html", {"codes": codes, "next": reverse("twofactor_security")})
    from django_otp.plugins.otp_static.models import StaticToken

    return render(request, "accounts/twofactor_security.html", {
        "enrolled": twofactor.has_device(user), "required": twofactor.is_required(user),
        "verified": user.is_verified(),  # type: ignore[attr-defined]
        "backup_left": StaticToken.objects.filter(device__user=user).count(),
    })


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site logs in through the staff login page (same lockout, same second factor)."""
    from urllib.parse import urlencode

    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.GET.get('next', '/admin/')})}")
