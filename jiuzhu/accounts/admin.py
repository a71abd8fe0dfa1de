"""Users and memberships in the admin, limited for the system administrator (系统管理员).

A superuser (set up on the command line) may do anything. A system administrator manages the
users and roles of their own organisation's subtree only (admin_scope.py), never their own roles,
and never grants superuser or staff status, groups or raw permissions: otherwise an administrator
could make themselves a case handler or an approver. An approving or administering role given here
waits for a second administrator's confirmation (grants.py, the 待确认授权 screen).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html

from jiuzhu.accounts import grants
from jiuzhu.accounts.admin_scope import (
    HIDDEN,
    ScopedAdmin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    admin_paths,
    audit_admin,
    users_in_subtree,
)
from jiuzhu.accounts.models import (
    ADMIN_CONFLICT_MESSAGE,
    Membership,
    PendingGrant,
    Role,
    User,
    admin_role_conflict,
)

GRANT_FIELDS = ("requested_by", "requested_at", "confirmed_by", "confirmed_at")
HELD = "“{}”需要另一名系统管理员确认后才生效（已列入“待确认授权”）。"


def _hold_message(request: HttpRequest, membership: Membership) -> None:
    messages.warning(request, HELD.format(membership.get_role_display()))
    audit_admin(request, "grant_requested", membership, role=membership.role, org=membership.org_id,
                user=membership.user_id)


def _before_password(request: HttpRequest, user: Any) -> str | None:
    """Return USER's password hash as it was when this request loaded them (None if not loaded)."""
    loaded = getattr(request, "_jiuzhu_password_before", {})
    return loaded.get(user.pk)


class _MembershipScope:
    """A membership is the administrator's when its organisation and its user are in their subtree."""

    def can_write(self, request: HttpRequest, obj: Any) -> bool:
        if request.user.is_superuser:
            return True
        if obj.user_id == request.user.pk:
            return False  # never one's own roles
        in_scope: bool = super().can_write(request, obj)  # type: ignore[misc]
        return in_scope and (obj.user_id is None or users_in_subtree(request.user).filter(pk=obj.user_id).exists())

    def choice_queryset(self, request: HttpRequest, model: Any) -> QuerySet[Any]:
        qs: QuerySet[Any] = super().choice_queryset(request, model)  # type: ignore[misc]
        return qs.exclude(pk=request.user.pk) if model is User else qs


class MembershipInline(_MembershipScope, ScopedInlineMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["org", "department", "role", "is_active", "grant_state"]
    readonly_fields = ["grant_state"]

    @admin.display(description="授权状态")
    def grant_state(self, obj: Membership) -> str:
        return _grant_state(obj)


def _grant_state(obj: Membership) -> str:
    if obj.is_pending:
        return f"待确认（{obj.requested_by} 申请）"
    if obj.confirmed_by_id:
        return f"已确认（{obj.confirmed_by}）"
    return ""


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "full_name", "is_active", "last_login"]
    inlines = [MembershipInline]
    national = HIDDEN

    def scope_queryset(self, request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
        if request.user.is_superuser:
            return qs
        # Users of the administrator's subtree, and users without any membership yet (just created).
        return qs.filter(pk__in=users_in_subtree(request.user).values("pk"))

    def can_write(self, request: HttpRequest, obj: Any) -> bool:
        if request.user.is_superuser:
            return True
        if obj.pk is None:
            return True
        if obj.is_superuser:
            return False
        if obj.pk != request.user.pk and Membership.objects.filter(
                user=obj, role=Role.ADMIN, org__path__in=admin_paths(request.user)).exists():
            return False  # a fellow administrator of the same organisation: theirs and their superior's (four eyes)
        return users_in_subtree(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(BaseUserAdmin.has_add_permission(self, request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            if not hasattr(request, "_jiuzhu_password_before"):
                request._jiuzhu_password_before = {}  # type: ignore[attr-defined]
            request._jiuzhu_password_before.setdefault(obj.pk, obj.password)  # type: ignore[attr-defined]
        return obj

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return (*BaseUserAdmin.fieldsets, ("机构与联系", {"fields": ("full_name", "phone")}))  # type: ignore[misc]
        if obj is None:
            return self.add_fieldsets
        return ((None, {"fields": ("username", "password")}),
                ("个人信息", {"fields": ("full_name", "phone", "email", "is_active")}))

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # Whoever sets another user's password could sign in as them: an approver's four-eyes roles
        # go back to waiting for a second administrator (password resets of approvers need four eyes).
        before = _before_password(request, obj)
        if before is not None and before != obj.password and obj.pk != request.user.pk:
            for m in Membership.objects.filter(user=obj, is_active=True).select_related("org"):
                if grants.hold(m, acting_user=request.user, before=None):
                    m.save(update_fields=["is_active", "requested_by", "requested_at", "confirmed_by",
                                          "confirmed_at"])
                    _hold_message(request, m)
        return super().log_change(request, obj, message)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not request.user.is_superuser and form.instance.pk == request.user.pk:
            raise PermissionDenied("系统管理员不能修改自己的岗位。")
        held = []
        if formset.model is Membership:
            kept = {f.cleaned_data.get("role") for f in formset.forms
                    if f.cleaned_data and f not in formset.deleted_forms}
            saved = set(Membership.objects.filter(user=form.instance).exclude(
                pk__in=[f.instance.pk for f in formset.forms if f.instance.pk]).values_list("role", flat=True))
            if admin_role_conflict(kept | saved):
                raise PermissionDenied(ADMIN_CONFLICT_MESSAGE)
            pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk]
            before = Membership.objects.in_bulk(pks)
            for f in formset.forms:
                if f.has_changed() and f not in formset.deleted_forms and grants.hold(
                        f.instance, acting_user=request.user, before=before.get(f.instance.pk)):
                    held.append(f.instance)
        super().save_formset(request, form, formset, change)
        for membership in held:
            _hold_message(request, membership)


@admin.register(Membership)
class MembershipAdmin(_MembershipScope, ScopedAdmin):
    list_display = ["user", "org", "role", "department", "is_active", "grant_state"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "org", "department__org", "requested_by", "confirmed_by"]
    search_fields = ["user__username", "user__full_name", "org__name"]
    exclude = GRANT_FIELDS

    @admin.display(description="授权状态")
    def grant_state(self, obj: Membership) -> str:
        return _grant_state(obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if not request.user.is_superuser and obj.user_id == request.user.pk:
            raise PermissionDenied("系统管理员不能给自己分配岗位。")
        before = Membership.objects.filter(pk=obj.pk).first() if change else None
        held = grants.hold(obj, acting_user=request.user, before=before)
        super().save_model(request, obj, form, change)
        if held:
            _hold_message(request, obj)


@admin.register(PendingGrant)
class PendingGrantAdmin(_MembershipScope, ScopedAdmin):
    """The four-eyes screen: grants waiting for a second administrator; confirm one or several."""

    list_display = ["user", "org", "role", "requested_by", "requested_at", "confirm_link"]
    list_select_related = ["user", "org", "requested_by"]
    actions = ["confirm_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(requested_by__isnull=False, confirmed_at__isnull=True)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.change_membership") and (
            obj is None or grants.may_confirm(obj, request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accounts.view_membership")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def can_write(self, request: HttpRequest, obj: Any) -> bool:
        return grants.may_confirm(obj, request.user)

    @admin.display(description="确认")
    def confirm_link(self, obj: Membership) -> str:
        return format_html('<a class="button" href="{}">确认授权…</a>',
                           reverse("admin:accounts_pendinggrant_confirm", args=[obj.pk]))

    def get_urls(self) -> list[Any]:
        return [path("<int:pk>/confirm/", self.admin_site.admin_view(self.confirm_view),
                     name="accounts_pendinggrant_confirm"), *super().get_urls()]

    def _confirm(self, request: HttpRequest, grant: Membership) -> bool:
        if not grants.may_confirm(grant, request.user):
            messages.error(request, f"不能确认“{grant}”：申请人本人不能确认，确认人须是同级或上级院的另一名系统管理员。")
            return False
        try:
            grants.confirm(grant, acting_user=request.user)  # locks the row: of two at once, one confirms
        except PermissionDenied as e:
            messages.error(request, str(e))
            return False
        audit_admin(request, "grant_confirmed", grant, role=grant.role, org=grant.org_id, user=grant.user_id,
                    requested_by=grant.requested_by_id)
        return True

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        grant = self.get_queryset(request).select_related("user", "org", "requested_by").filter(pk=pk).first()
        if grant is None or not self.has_view_permission(request):
            raise Http404("该授权不存在，或不在您的管辖范围内。")
        if request.method == "POST":
            if self._confirm(request, grant):
                messages.success(request, f"已确认授权：{grant}。该岗位现已生效。")
            return HttpResponseRedirect(reverse("admin:accounts_pendinggrant_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "grant": grant,
                   "title": "确认授权", "may_confirm": grants.may_confirm(grant, request.user)}
        return render(request, "admin/accounts/pendinggrant/confirm.html", context)

    @admin.action(description="确认所选授权（须由申请人以外的系统管理员确认）", permissions=["change"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = sum(self._confirm(request, grant) for grant in queryset.select_related("org", "requested_by"))
        if done:
            messages.success(request, f"已确认 {done} 项授权。")


# Lockouts and second-factor devices (issue 11 finding 3): scoped admins with audited actions.
from jiuzhu.accounts import admin_security  # noqa: E402,F401
