"""The API's URLs: exempt from the staff login, every call written to the API's audit trail, every refusal in Chinese JSON."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

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


def _json(status: int, message: str) -> HttpResponse:
    return JsonResponse({"detail": message}, status=status)


@csrf_exempt
def _unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/ (also the docs page, which is off): a JSON 404 in Chinese, not the staff page."""
    return _json(404, "接口不存在，请查看 /api/v1/openapi.json。")


def _audited(view: Any) -> Any:
    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            nul = _has_nul(request)
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: refused before anything is read
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
            response: HttpResponse = _json(413, f"请求体过大（不能超过 {limit} KB）。")
        else:
            if nul:
                response = _json(422, "请求中含有不允许的空字符（NUL），请检查输入。")
            else:
                response = view(request, *args, **kwargs)
            if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
                allowed = response.get("Allow", "")
                response = _json(405, f"不支持 {request.method} 请求（可用：{allowed}）。")
                response["Allow"] = allowed
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
urlpatterns = _wrap([*_urls, re_path(r"^(?P<rest>.*)$", _unknown, name="unknown")])
