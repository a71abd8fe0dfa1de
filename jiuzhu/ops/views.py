"""/healthz, /readyz and /metrics: no login, JSON or Prometheus text, no personal data; and /favicon.ico."""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from jiuzhu.ops import health


@cache
def _favicon() -> bytes:
    return (Path(__file__).resolve().parent.parent / "static" / "favicon.ico").read_bytes()


@login_not_required
@cache_control(public=True, max_age=86400)
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every page (also the portal's): the same file as the static one."""
    return HttpResponse(_favicon(), content_type="image/x-icon")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers (no database call, so a slow database does not restart the web)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: every check passes (200) or the failing ones are named (503)."""
    checks = health.run_checks()
    failing = [name for name, r in checks.items() if not r["ok"]]
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, "checks": checks}
    return JsonResponse(body, status=200 if not failing else 503, json_dumps_params={"ensure_ascii": False})


def _metrics_allowed(request: HttpRequest) -> bool | None:
    """True/False for a configured gate; None when neither a token nor an allow-list is configured."""
    token = getattr(settings, "JIUZHU_METRICS_TOKEN", "") or ""
    allow = getattr(settings, "JIUZHU_METRICS_ALLOW", []) or []
    if not token and not allow:
        return None
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
            return True
    if allow:
        try:
            addr = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(addr in ipaddress.ip_network(n, strict=False) for n in allow)
    return False


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    from prometheus_client import CONTENT_TYPE_LATEST

    from jiuzhu.ops import metrics as m

    allowed = _metrics_allowed(request)
    if allowed is None:  # not configured: the endpoint does not exist
        return HttpResponse("未启用 / metrics are not enabled (set JIUZHU_METRICS_TOKEN)\n", status=404,
                            content_type="text/plain; charset=utf-8")
    if not allowed:
        return HttpResponse("无权访问 / forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(m.render(), content_type=CONTENT_TYPE_LATEST)
