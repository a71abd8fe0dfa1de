from __future__ import annotations

from django.contrib import admin

from jiuzhu.accounts.admin_scope import HIDDEN, ScopedAdmin
from jiuzhu.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    scope_field, national = None, HIDDEN
    list_display = ["at", "actor", "kind", "case", "field", "reason"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
