from __future__ import annotations

from django.contrib import admin

from jiuzhu.notifications.models import MessageTemplate, OutboundMessage


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "note", "text", "updated_at"]
    search_fields = ["key", "note", "text"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key", "to_masked", "state", "attempts", "sent_at"]
    list_filter = ["state", "key"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields if f.name != "to"]
    exclude = ["to"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
