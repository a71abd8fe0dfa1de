"""The API's URLs: exempt from the staff login, and every call written to the API's audit trail."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern

from jiuzhu.api.models import ApiCallLog
from jiuzhu.api.views import api
from jiuzhu.lib import clock
from jiuzhu.lib.netaddr import client_ip


def _has_nul(request: HttpRequest) -> bool:
    """Whether the request carries a NUL character anywhere (PostgreSQL text cannot hold one)."""
    if "\x00" in request.path or any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
        return True
    body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
    return b"\x00" in body or b"\\u0000" in body


def _audited(view: Any) -> Any:
    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _has_nul(request):
            response: HttpResponse = JsonResponse({"detail": "请求中含有不允许的空字符（NUL），请检查输入。"}, status=422)
        else:
            response = view(request, *args, **kwargs)
        client = getattr(request, "api_client", None)
        ApiCallLog.objects.create(client=client, at=clock.now(), method=request.method or "",
                                  path=request.path.replace("\x00", "")[:200], status=response.status_code,
                                  ip=client_ip(request),
                                  detail={"query": request.META.get("QUERY_STRING", "").replace("\x00", "")[:200]})
        if client is not None:
            type(client).objects.filter(pk=client.pk).update(last_used_at=clock.now())
        return response

    return wrapped


def _wrap(patterns: list[Any]) -> list[Any]:
    out = []
    for p in patterns:
        if isinstance(p, URLPattern):
            p.callback = _audited(p.callback)
        out.append(p)
    return out


_urls, _app, _ns = api.urls
app_name = "api"
urlpatterns = _wrap(list(_urls))
