from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jiuzhu.accounts.admin_scope import PROVINCE, ScopedAdmin, admin_memberships, is_province_admin
from jiuzhu.rules.approval import step_labels
from jiuzhu.rules.models import ApprovalRule, WageBase


@admin.register(WageBase)
class WageBaseAdmin(ScopedAdmin):
    """Per-province reference data (the base of every aid cap): changed by the province's administrator only."""

    scope_field, national = None, PROVINCE
    list_display = ["province_code", "year", "statistic", "monthly_amount", "is_illustrative", "source"]
    list_filter = ["province_code", "year", "statistic", "is_illustrative"]
    search_fields = ["province_code", "source", "note"]
    ordering = ["province_code", "-year"]

    def scope_queryset(self, request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
        if request.user.is_superuser:
            return qs
        return qs.filter(province_code__in=[m.org.province_code for m in admin_memberships(request.user)])

    def can_write(self, request: HttpRequest, obj: Any) -> bool:
        return request.user.is_superuser or is_province_admin(request.user, obj.province_code)


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ScopedAdmin):
    list_filter = ["collective", "org"]
    search_fields = ["org__name", "org__code", "note"]

    def get_list_display(self, request: HttpRequest) -> Any:
        bodies: dict[int, Any] = {}  # one settings query per organisation on the page, not per rule

        @admin.display(description="审批步骤")
        def route(obj: ApprovalRule) -> str:
            return self.route(obj, bodies)

        return ["org", "min_amount", route, "collective", "note"]

    def route(self, obj: ApprovalRule, bodies: dict[int, Any] | None = None) -> str:
        """Return the rule's steps in Chinese (BODIES: every organisation's own collective-body setting, loaded once)."""
        from jiuzhu.orgs.models import OrgSetting
        from jiuzhu.orgs.policy import SETTINGS, check_value

        key = "approval.collective_body"
        bodies = {} if bodies is None else bodies
        if not bodies:  # one query for the whole page: the settings that name a collective body
            bodies.update(OrgSetting.objects.filter(key=key).values_list("org_id", "value"))
            bodies[0] = None  # marks the cache as loaded
        own = next((bodies[i] for i in reversed(obj.org.ancestor_ids()) if i in bodies), None)
        body = SETTINGS[key].default if own is None else check_value(SETTINGS[key], own)
        try:
            labels = step_labels(obj.step_codes, collective_body=body)
        except ValueError:  # a stored step no longer valid: show the codes
            labels = obj.step_codes
        return " → ".join(labels)
