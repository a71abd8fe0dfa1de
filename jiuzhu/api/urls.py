"""The API's URLs: exempt from the staff login, and every call written to the API's audit trail."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from jiuzhu.api.models import ApiCallLog
from jiuzhu.api.views import api
from jiuzhu.lib import clock


def _audited(view: Any) -> Any:
    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        client = getattr(request, "api_client", None)
        ApiCallLog.objects.create(client=client, at=clock.now(), method=request.method or "",
                                  path=request.path[:200], status=response.status_code,
                                  ip=request.META.get("REMOTE_ADDR", "")[:45],
                                  detail={"query": request.META.get("QUERY_STRING", "")[:200]})
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
