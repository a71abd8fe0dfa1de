"""Admin: the registry of partner agencies (per area) with their contact people and portal users."""

from __future__ import annotations

from django.contrib import admin

from jiuzhu.support.models import PartnerAgency, PartnerContact, PartnerStaff


class ContactInline(admin.TabularInline):
    model = PartnerContact
    extra = 1
    fields = ["name", "title", "phone"]


class StaffInline(admin.TabularInline):
    model = PartnerStaff
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org", "phone", "is_active"]
    list_filter = ["kind", "is_active", "org"]
    search_fields = ["name"]
    inlines = [ContactInline, StaffInline]
