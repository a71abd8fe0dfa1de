"""Lockout after repeated failed logins (django-axes): the Chinese lockout page and the unlock path."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiuzhu.accounts.access import orgs_with
from jiuzhu.accounts.models import Capability, User


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (f"登录失败次数过多，该账号已在本机地址锁定 {minutes} 分钟。"
            "请稍后再试，或联系系统管理员解除锁定。")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message (HTTP 429)."""
    return render(request, "accounts/login.html", {"lockout_message": lockout_message(),
                                                   "next": request.POST.get("next", "")}, status=429)


def users_administered_by(user: User) -> QuerySet[User]:
    """The users with a membership in the subtree of an organisation USER administers (all, for a superuser)."""
    if user.is_superuser:
        return User.objects.all()
    paths = [o.path for o in orgs_with(user, Capability.ADMINISTER)]
    if not paths:
        return User.objects.none()
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in paths:
        q |= Q(memberships__org__path__startswith=p)
    return User.objects.filter(q).exclude(is_superuser=True).distinct()
