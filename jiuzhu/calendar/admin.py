"""Admin of the working-day calendar: the administrator enters each new year's schedule here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse

from jiuzhu.accounts.admin_scope import PROVINCE, ScopedAdmin
from jiuzhu.calendar.models import CalendarYear, SpecialDay
from jiuzhu.calendar.queries import missing_years_warning
from jiuzhu.lib import clock

WEEKDAY_NAMES = "一二三四五六日"

HOW_TO_ADD_A_YEAR = (
    "国务院办公厅公布下一年度部分节假日安排后（通常在每年10月至12月），请在“节假日调整”中逐日录入"
    "放假日（含落在周末的放假日）和调休上班日，核对无误后在“已录入年度”中添加该年份。"
    "未录入的年度按周末推算工作日，期限可能偏早。"
)


class _WarnMissingYearsMixin:
    """Show, on the change list, which of this year and next year still lack a schedule."""

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if warning := missing_years_warning(clock.today()):
            messages.warning(request, f"{warning}{HOW_TO_ADD_A_YEAR}")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


@admin.register(SpecialDay)
class SpecialDayAdmin(_WarnMissingYearsMixin, ScopedAdmin):
    scope_field, national = None, PROVINCE  # the national holiday table: edited at the province level only
    list_display = ["date", "weekday", "is_workday", "name", "source"]
    list_filter = ["is_workday", "name", "source"]
    date_hierarchy = "date"
    ordering = ["-date"]  # the latest schedule first: the one an administrator maintains
    search_fields = ["name"]
    fieldsets = [(None, {"fields": ["date", "is_workday", "name", "source"], "description": HOW_TO_ADD_A_YEAR})]

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: SpecialDay) -> str:
        return f"星期{WEEKDAY_NAMES[obj.date.weekday()]}"


@admin.register(CalendarYear)
class CalendarYearAdmin(_WarnMissingYearsMixin, ScopedAdmin):
    scope_field, national = None, PROVINCE
    list_display = ["year", "source", "loaded_at", "note"]
    list_filter = ["source"]
    readonly_fields = ["loaded_at"]
    fieldsets = [(None, {"fields": ["year", "source", "note", "loaded_at"], "description": HOW_TO_ADD_A_YEAR})]
