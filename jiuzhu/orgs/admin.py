from __future__ import annotations

from django.contrib import admin

from jiuzhu.orgs.models import Department, Organisation, OrgSetting


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "level", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "code"]

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
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "kind"]
    list_filter = ["kind"]


@admin.register(OrgSetting)
class OrgSettingAdmin(admin.ModelAdmin):
    list_display = ["org", "key", "value", "note", "updated_at"]
    list_filter = ["key"]
