from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from jiuzhu.accounts.admin_scope import ScopedAdmin
from jiuzhu.orgs.models import Department, Organisation, OrgSetting
from jiuzhu.orgs.policy import SETTINGS, check_value


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    scope_field = ""  # an organisation is scoped by its own path; it is written by whoever holds its parent
    list_display = ["name", "code", "kind", "level", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "code"]

    def scope_org(self, obj: Organisation) -> Organisation | None:
        return obj.parent  # the administrator's own organisation (parent above them) is read-only

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        # Keep the materialised path right when an organisation is created or moved here.
        new_path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        if obj.path != new_path:
            old = obj.path
            for org in Organisation.objects.filter(path__startswith=old) if old.startswith("/") else []:
                org.path = new_path + org.path[len(old):]
                org.save(update_fields=["path"])
            Organisation.objects.filter(pk=obj.pk).update(path=new_path)


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "org", "kind"]
    list_filter = ["kind"]


class OrgSettingForm(forms.ModelForm):
    key = forms.ChoiceField(label="设置项", choices=[(d.key, f"{d.label}（默认 {d.default}）") for d in SETTINGS.values()])

    class Meta:
        model = OrgSetting
        fields = ["org", "key", "value", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key, value = data.get("key"), data.get("value")
        if key in SETTINGS and "value" in data:
            try:
                data["value"] = check_value(SETTINGS[key], value)
            except ValidationError as e:
                self.add_error("value", e)
        return data


@admin.register(OrgSetting)
class OrgSettingAdmin(ScopedAdmin):
    form = OrgSettingForm
    list_display = ["org", "key", "label", "value", "note", "updated_at"]
    list_filter = ["key"]

    @admin.display(description="说明")
    def label(self, obj: OrgSetting) -> str:
        d = SETTINGS.get(obj.key)
        return d.label if d else "（未知设置项）"
