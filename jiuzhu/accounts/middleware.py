"""Per-request login rules: the session's idle and absolute lifetime, and the second factor owed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from jiuzhu.accounts import twofactor

# Views a user who still owes the second factor may reach.
EXEMPT_URL_NAMES = {"login", "logout", "twofactor_verify", "twofactor_setup"}
TOUCH_EVERY = 60  # seconds: how often the idle clock is pushed back (one session write a minute at most)


class SecondFactorMiddleware:
    """Install after AuthenticationMiddleware, OTPMiddleware and LoginRequiredMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        session = request.session
        now = time.time()
        login_at = session.get("jz_login_at")
        if login_at is not None and now - login_at > settings.JIUZHU_SESSION_MAX_HOURS * 3600:
            logout(request)
            return HttpResponseRedirect(reverse("login"))
        seen = session.get("jz_seen")
        if seen is None or now - seen > TOUCH_EVERY:
            session["jz_seen"] = now  # saving the session moves its expiry: SESSION_COOKIE_AGE idle
            if not user.is_verified():  # type: ignore[union-attr,attr-defined]
                # A role given or a device reset since login counts within a minute.
                session[twofactor.SESSION_KEY] = twofactor.owed(user)  # type: ignore[arg-type]
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES and not match.namespace:
            return None
        if user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        if twofactor.SESSION_KEY not in session:  # a session from before this rule existed
            session[twofactor.SESSION_KEY] = twofactor.owed(user)  # type: ignore[arg-type]
        owed = session[twofactor.SESSION_KEY]
        if not owed and settings.JIUZHU_2FA_REQUIRED and match is not None and match.app_name == "admin":
            # The admin site always needs a verified second factor while enforcement is on.
            owed = twofactor.VERIFY if twofactor.has_device(user) else twofactor.ENROL  # type: ignore[arg-type]
        if not owed:
            return None
        target = reverse("twofactor_verify" if owed == twofactor.VERIFY else "twofactor_setup")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
