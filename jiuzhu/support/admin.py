"""Admin: the registry of partner agencies (per area) with their contact people and portal users."""

from __future__ import annotations

from django.contrib import admin

from jiuzhu.accounts.admin_scope import ScopedAdmin, ScopedInlineMixin
from jiuzhu.support.models import PartnerAgency, PartnerContact, PartnerStaff


class ContactInline(ScopedInlineMixin, admin.TabularInline):  # type: ignore[type-arg]
    scope_field = "agency__org"
    model = PartnerContact
    extra = 1
    fields = ["name", "title", "phone"]


class StaffInline(ScopedInlineMixin, admin.TabularInline):  # type: ignore[type-arg]
    scope_field = "agency__org"
    model = PartnerStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(ScopedAdmin):
    list_display = ["name", "kind", "org", "phone", "is_active"]
    list_filter = ["kind", "is_active", "org"]
    search_fields = ["name"]
    inlines = [ContactInline, StaffInline]
