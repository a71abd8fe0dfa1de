"""Login security in the admin, limited to the administrator's subtree like the users themselves.

- 登录锁定 (axes AccessAttempt): who is locked out from which address; the action 解除锁定 unlocks
  (audited). On the command line: `jiuzhu axes_reset_username USERNAME` (or `axes_reset`, everyone).
- 两步验证设备 (TOTP / backup codes): the action 重置两步验证 removes a user's devices when a phone is
  lost (audited); the user enrols again at the next login. Nobody adds or edits a device here: whoever
  created one would know its secret.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.accounts import twofactor
from jiuzhu.accounts.access import has_capability
from jiuzhu.accounts.admin_scope import READ, ScopedAdminMixin
from jiuzhu.accounts.lockout import users_administered_by
from jiuzhu.accounts.models import AuthenticatorDevice, BackupCodeDevice, Capability, LoginLockout, User
from jiuzhu.audit.actions import record
from jiuzhu.audit.models import AuditEntry
from jiuzhu.lib.netaddr import client_ip


class _ScopedSecurityAdmin(ScopedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewable by a superuser or a system administrator; rows of the administrator's users only."""

    # No organisation on these rows: get_queryset below limits them to the administrator's users,
    # and the actions may touch exactly those rows.
    scope_field, national = None, READ

    def can_write(self, request: HttpRequest, obj: Any) -> bool:
        return request.user.is_superuser or self.get_queryset(request).filter(pk=obj.pk).exists()

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or has_capability(user, Capability.ADMINISTER))  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # only through the audited actions below

    def _users(self, request: HttpRequest) -> QuerySet[User]:
        return users_administered_by(request.user)  # type: ignore[arg-type]


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(LoginLockout)
class LockoutAdmin(_ScopedSecurityAdmin):
    list_display = ["user_name", "address", "failures", "last_try", "locked"]
    search_fields = ["username", "ip_address"]
    fields: ClassVar[Any] = ["user_name", "address", "failures", "last_try", "locked", "browser"]
    readonly_fields: ClassVar[Any] = fields
    actions = ["unlock"]

    @admin.display(description="用户名", ordering="username")
    def user_name(self, obj: LoginLockout) -> str:
        return obj.username or ""

    @admin.display(description="客户端地址", ordering="ip_address")
    def address(self, obj: LoginLockout) -> str:
        return obj.ip_address or ""

    @admin.display(description="连续失败次数", ordering="failures_since_start")
    def failures(self, obj: LoginLockout) -> int:
        return obj.failures_since_start

    @admin.display(description="浏览器标识")
    def browser(self, obj: LoginLockout) -> str:
        return obj.user_agent

    @admin.display(description="最近一次尝试", ordering="attempt_time")
    def last_try(self, obj: LoginLockout) -> Any:
        return obj.attempt_time

    def get_queryset(self, request: HttpRequest) -> QuerySet[LoginLockout]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(username__in=self._users(request).values("username"))

    @admin.display(description="已锁定", boolean=True)
    def locked(self, obj: LoginLockout) -> bool:
        return (obj.failures_since_start >= settings.AXES_FAILURE_LIMIT
                and obj.attempt_time + settings.AXES_COOLOFF_TIME > timezone.now())

    @admin.action(description="解除锁定")
    def unlock(self, request: HttpRequest, queryset: QuerySet[LoginLockout]) -> None:
        n = 0
        for attempt in self.get_queryset(request).filter(pk__in=queryset.values("pk")):
            record(AuditEntry.Kind.UNLOCK, acting_user=request.user, target=attempt.username or "",
                   address=attempt.ip_address or "", failures=attempt.failures_since_start, ip=client_ip(request))
            attempt.delete()
            n += 1
        self.message_user(request, f"已解除 {n} 条登录锁定。", messages.SUCCESS)


class _DeviceAdmin(_ScopedSecurityAdmin):
    list_display = ["owner", "device_name", "is_confirmed", "last_used"]
    fields: ClassVar[Any] = list_display
    readonly_fields: ClassVar[Any] = list_display

    @admin.display(description="用户", ordering="user__username")
    def owner(self, obj: Any) -> str:
        return f"{obj.user} ({obj.user.username})"

    @admin.display(description="名称")
    def device_name(self, obj: Any) -> str:
        return obj.name

    @admin.display(description="已启用", boolean=True)
    def is_confirmed(self, obj: Any) -> bool:
        return obj.confirmed

    @admin.display(description="最近使用")
    def last_used(self, obj: Any) -> Any:
        return obj.last_used_at
    search_fields = ["user__username", "user__full_name"]
    actions = ["reset_2fa"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return qs
        return qs.filter(user__in=self._users(request))

    @admin.action(description="重置两步验证（删除该用户的全部设备，下次登录重新绑定）")
    def reset_2fa(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        users = User.objects.filter(pk__in=self.get_queryset(request).filter(
            pk__in=queryset.values("pk")).values("user"))
        for user in users:
            if user.pk == request.user.pk:
                self.message_user(request, "不能重置自己的两步验证。", messages.ERROR)
                continue
            twofactor.reset(user, acting_user=request.user, request=request)  # type: ignore[arg-type]
        self.message_user(request, "已重置所选用户的两步验证。", messages.SUCCESS)


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(_DeviceAdmin):
    pass


@admin.register(BackupCodeDevice)
class BackupCodeDeviceAdmin(_DeviceAdmin):
    pass
