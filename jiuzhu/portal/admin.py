from __future__ import annotations

from django.contrib import admin

from jiuzhu.accounts.admin_scope import HIDDEN, ScopedAdmin
from jiuzhu.portal.models import OnlineApplication


@admin.register(OnlineApplication)
class OnlineApplicationAdmin(ScopedAdmin):
    national = HIDDEN
    list_display = ["receipt_number", "kind", "state", "applicant_name", "org", "source", "language", "submitted_at",
                    "case"]
    list_filter = ["state", "kind", "source", "language"]
    fields = ("receipt_number", "kind", "state", "source", "language", "applicant_name", "org", "client", "client_reference",
              "submitted_at", "case", "registered_by", "registered_at")
    readonly_fields = fields

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
