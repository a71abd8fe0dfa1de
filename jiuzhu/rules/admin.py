from __future__ import annotations

from django.contrib import admin

from jiuzhu.rules.approval import step_labels
from jiuzhu.rules.models import ApprovalRule, WageBase


@admin.register(WageBase)
class WageBaseAdmin(admin.ModelAdmin):
    list_display = ["province_code", "year", "statistic", "monthly_amount", "is_illustrative", "source"]
    list_filter = ["province_code", "year", "statistic", "is_illustrative"]
    search_fields = ["province_code", "source", "note"]
    ordering = ["province_code", "-year"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["org", "min_amount", "route", "collective", "note"]
    list_filter = ["collective", "org"]
    search_fields = ["org__name", "org__code", "note"]

    @admin.display(description="审批步骤")
    def route(self, obj: ApprovalRule) -> str:
        from jiuzhu.orgs.policy import get_setting

        try:
            labels = step_labels(obj.step_codes, collective_body=get_setting(obj.org, "approval.collective_body"))
        except ValueError:  # a stored step no longer valid: show the codes
            labels = obj.step_codes
        return " → ".join(labels)
