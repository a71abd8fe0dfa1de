"""Users and memberships in the admin, limited for the system administrator (系统管理员).

A superuser (set up on the command line) may do anything. A system administrator manages the
users and roles of their own organisation's subtree only, never their own roles, and never grants
superuser or staff status, groups or raw permissions: otherwise an administrator could make
themselves a case handler or an approver.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from jiuzhu.accounts.access import orgs_with
from jiuzhu.accounts.models import Capability, Membership, User
from jiuzhu.orgs.models import Organisation


def _admin_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    q = Q(pk__in=[])
    for org in orgs_with(request.user, Capability.ADMINISTER):  # type: ignore[arg-type]
        q |= Q(path__startswith=org.path)
    return Organisation.objects.filter(q)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(org__in=_admin_orgs(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "org" and not request.user.is_superuser:
            kwargs["queryset"] = _admin_orgs(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "is_active", "last_login"]
    inlines = [MembershipInline]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return (*BaseUserAdmin.fieldsets, ("机构与联系", {"fields": ("full_name", "phone")}))  # type: ignore[misc]
        if obj is None:
            return self.add_fieldsets
        return ((None, {"fields": ("username", "password")}),
                ("个人信息", {"fields": ("full_name", "phone", "email", "is_active")}))

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Users of the administrator's subtree, and users without any membership yet (just created).
        return qs.filter(Q(memberships__org__in=_admin_orgs(request)) | Q(memberships__isnull=True)).exclude(
            is_superuser=True).distinct()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not request.user.is_superuser and form.instance.pk == request.user.pk:
            raise PermissionDenied("系统管理员不能修改自己的岗位。")
        super().save_formset(request, form, formset, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "org", "role", "department", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "org__name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(org__in=_admin_orgs(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "org" and not request.user.is_superuser:
            kwargs["queryset"] = _admin_orgs(request)
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.exclude(pk=request.user.pk).exclude(is_superuser=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if not request.user.is_superuser and obj.user_id == request.user.pk:
            raise PermissionDenied("系统管理员不能给自己分配岗位。")
        super().save_model(request, obj, form, change)


# Lockouts and second-factor devices (issue 11 finding 3): scoped admins with audited actions.
from jiuzhu.accounts import admin_security  # noqa: E402,F401
