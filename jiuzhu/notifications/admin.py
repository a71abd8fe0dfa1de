from __future__ import annotations

from django.contrib import admin

from jiuzhu.accounts.admin_scope import HIDDEN, PROVINCE, ScopedAdmin
from jiuzhu.notifications.models import MessageTemplate, OutboundMessage


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ScopedAdmin):
    scope_field, national = None, PROVINCE  # the national SMS wording
    list_display = ["key", "language", "note", "text", "updated_at"]
    list_filter = ["language"]
    search_fields = ["key", "note", "text"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ScopedAdmin):
    scope_field, national = "case__handling_org", HIDDEN
    list_display = ["created_at", "key", "language", "to_masked", "state", "attempts", "sent_at"]
    list_filter = ["state", "key", "language"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields if f.name != "to"]
    exclude = ["to"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
