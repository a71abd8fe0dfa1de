from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages

from jiuzhu.accounts.admin_scope import HIDDEN, ScopedAdmin
from jiuzhu.api import tokens
from jiuzhu.api.models import ApiCallLog, ApiClient, Scope


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label="权限范围", choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                       required=False)

    class Meta:
        model = ApiClient
        fields = ["name", "org", "scopes", "rate_per_minute", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdmin):
    form = ApiClientForm
    list_display = ["name", "org", "prefix", "scopes", "rate_per_minute", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    actions = ["rotate_tokens"]

    def save_model(self, request: Any, obj: ApiClient, form: Any, change: bool) -> None:
        from jiuzhu.lib import clock

        if not change:
            token = tokens.new_token()
            obj.prefix, obj.token_hash, obj.created_at = token[:10], tokens.hash_token(token), clock.now()
            super().save_model(request, obj, form, change)
            messages.warning(request, f"客户端令牌（只显示这一次，请复制保存）：{token}")
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="重新生成令牌（旧令牌立即失效）")
    def rotate_tokens(self, request: Any, queryset: Any) -> None:
        for client in queryset:
            messages.warning(request, f"{client.name} 的新令牌（只显示这一次）：{tokens.rotate(client)}")


@admin.register(ApiCallLog)
class ApiCallLogAdmin(ScopedAdmin):
    scope_field, national = "client__org", HIDDEN
    list_display = ["at", "client", "method", "path", "status", "ip"]
    list_filter = ["status", "client"]
    readonly_fields = ["client", "at", "method", "path", "status", "ip", "detail"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
