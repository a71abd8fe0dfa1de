"""One subtree restriction for every model in the admin, and the audit of every admin change.

Deny by default, like `access.py` beside it: a system administrator (系统管理员) sees and changes only
the rows of the organisations they administer and of those below; outside that a row does not exist
(404). Data with no organisation (the holiday table, SMS wording, national templates with org empty)
and per-province reference data (wage bases) are read-only below the province. Foreign-key and
many-to-many choices offered in forms are limited the same way (each by the scoped admin of the
related model). A superuser, set up on the command line, is not limited.

Every add, change and delete made through the admin writes an audit entry with the field-by-field
difference; encrypted fields, passwords and token digests are never written, personal-looking fields
are masked. `tests/test_admin_scope.py` asserts that every registered admin uses `ScopedAdminMixin`.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation, InlineModelAdmin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from jiuzhu.accounts.access import memberships_of
from jiuzhu.accounts.models import Capability, Membership, User

ADMIN_AUDIT_KIND = "admin"  # AuditEntry.Kind.ADMIN

# What a row with no organisation (or a model without one) is for an administrator below the superuser.
HIDDEN = "hidden"  # not shown at all (logs, queues, accounts' internals)
READ = "read"  # shown read-only
PROVINCE = "province"  # shown; a province-level administrator may change it (national reference data)

SECRET_FIELDS = frozenset({"password", "token_hash"})
PERSONAL_HINTS = ("phone", "id_number", "account", "address")


# ---------------------------------------------------------------------------------------------
# Who administers what


def admin_memberships(user: Any) -> list[Membership]:
    """Return USER's active memberships that carry the ADMINISTER capability."""
    return [m for m in memberships_of(user) if Capability.ADMINISTER in m.capabilities]


def admin_paths(user: Any) -> list[str]:
    """Return the materialised paths of the organisations USER administers."""
    return [m.org.path for m in admin_memberships(user)]


def is_province_admin(user: Any, province_code: str | None = None) -> bool:
    """Return whether USER administers a province-level organisation (of PROVINCE_CODE, when given)."""
    return any(m.org.level == "province" and (province_code is None or m.org.province_code == province_code
                                              or m.org.code == province_code)
               for m in admin_memberships(user))


def in_subtree(user: Any, org: Any) -> bool:
    """Return whether ORG lies in the subtree of an organisation USER administers."""
    return org is not None and any(org.path.startswith(p) for p in admin_paths(user))


def subtree_q(user: Any, lookup: str) -> Q:
    """Return the Q selecting rows whose LOOKUP (an Organisation) is in USER's administered subtree."""
    q = Q(pk__in=[])
    for path in admin_paths(user):
        q |= Q(**{f"{lookup}__path__startswith": path} if lookup else {"path__startswith": path})
    return q


def users_in_subtree(user: Any) -> QuerySet[User]:
    """Return the users whose home organisations (every membership) lie in USER's subtree.

    A user with a membership outside the subtree belongs to someone else's administration: the
    administrator can neither edit them (password, name) nor give them a role. Superusers never.
    """
    outside = Membership.objects.exclude(subtree_q(user, "org")).values("user_id")
    return User.objects.exclude(is_superuser=True).exclude(pk__in=outside)


def refusal(opts: Any) -> str:
    """Return the Chinese message shown when an administrator may not write a row of OPTS."""
    return (f"您只能管理本院及下级院的{opts.verbose_name}；上级院、全国或省级统一的基础数据"
            "只能查看，不能修改。")


# ---------------------------------------------------------------------------------------------
# The audit of admin changes


def _shown(field: Any, value: Any) -> Any:
    from jiuzhu.people.fields import EncryptedTextField

    if value in (None, "", b""):
        return ""
    if isinstance(field, EncryptedTextField) or field.name in SECRET_FIELDS:
        return "***"
    if any(h in field.name for h in PERSONAL_HINTS):
        text = str(value)
        return f"{text[:3]}****{text[-2:]}" if len(text) > 6 else "***"
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
        return f"{value:.{field.decimal_places}f}"
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def snapshot(obj: Model) -> dict[str, tuple[str, Any]]:
    """Return field name → (comparison digest, value safe to write in the audit trail)."""
    out: dict[str, tuple[str, Any]] = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        out[field.name] = (hashlib.sha256(repr(value).encode()).hexdigest(), _shown(field, value))
    for field in obj._meta.many_to_many:
        value = sorted(getattr(obj, field.name).values_list("pk", flat=True)) if obj.pk else []
        out[field.name] = (hashlib.sha256(repr(value).encode()).hexdigest(), _shown(field, value))
    return out


def diff(before: dict[str, tuple[str, Any]], after: dict[str, tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return field → {before, after} for every field whose value differs."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, ("", "")), after.get(name, ("", ""))
        if b[0] != a[0] and not (name not in before and a[1] == "") and not (name not in after and b[1] == ""):
            changes[name] = {"before": b[1], "after": a[1]}
    return changes


def audit_admin(request: HttpRequest, action: str, obj: Model, changes: dict[str, Any] | None = None,
                **extra: Any) -> None:
    """Record one admin act on OBJ (add/change/delete/action/grant…) with the field-by-field difference."""
    from jiuzhu.audit.actions import record

    label = (obj._meta.concrete_model or type(obj))._meta.label_lower  # a proxy (待确认授权) is audited as its model
    record(ADMIN_AUDIT_KIND, acting_user=request.user, field=label[:40], reason=action,
           action=action, model=label, object_id=str(obj.pk), object=str(obj)[:100],
           changes=changes or {}, **extra)


def _before(request: HttpRequest) -> dict[tuple[str, str], dict[str, tuple[str, Any]]]:
    store = getattr(request, "_jiuzhu_admin_before", None)
    if store is None:
        store = {}
        request._jiuzhu_admin_before = store  # type: ignore[attr-defined]
    return store


# ---------------------------------------------------------------------------------------------
# The mixin every ModelAdmin and inline uses


class ScopedAdminMixin:
    """Limit an admin to the administrator's subtree and audit its writes (see the module docstring).

    `scope_field` is the lookup from the model to the Organisation that scopes a row ("org",
    "budget__org", …), "" for Organisation itself, None for a model without one. `national` says what
    rows without an organisation are (HIDDEN, READ or PROVINCE).
    """

    scope_field: str | None = "org"
    national: str = READ

    # -- scope --------------------------------------------------------------------------------
    def scope_queryset(self, request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Return QS limited to the rows the administrator may see."""
        user = request.user
        if user.is_superuser:
            return qs
        if not admin_memberships(user):
            return qs.none()
        if self.scope_field is None:
            return qs.none() if self.national == HIDDEN else qs
        q = subtree_q(user, self.scope_field)
        if self.national != HIDDEN and self.scope_field and qs.model._meta.get_field(
                self.scope_field.split("__")[0]).null:
            q |= Q(**{f"{self.scope_field}__isnull": True})
        return qs.filter(q)

    def scope_org(self, obj: Any) -> Any:
        """Return the Organisation that scopes OBJ, or None (no organisation: national data)."""
        if self.scope_field is None:
            return None
        target: Any = obj
        for part in self.scope_field.split("__"):
            try:
                target = getattr(target, part)
            except ObjectDoesNotExist:
                return None
            if target is None:
                return None
        return target

    def can_write(self, request: HttpRequest, obj: Any) -> bool:
        """Return whether the administrator may add, change or delete OBJ (in its current state)."""
        user = request.user
        if user.is_superuser:
            return True
        org = self.scope_org(obj)
        if org is None:
            return self.national == PROVINCE and is_province_admin(user)
        return in_subtree(user, org)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope_queryset(request, super().get_queryset(request))  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        allowed: bool = super().has_add_permission(request, *args)  # type: ignore[misc]
        if not allowed or request.user.is_superuser:
            return allowed
        if self.scope_field is None:
            return self.national == PROVINCE and is_province_admin(request.user)
        return bool(admin_memberships(request.user))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed: bool = super().has_change_permission(request, obj)  # type: ignore[misc]
        if not allowed or obj is None or request.user.is_superuser or isinstance(self, InlineModelAdmin):
            return allowed
        return self.can_write(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed: bool = super().has_delete_permission(request, obj)  # type: ignore[misc]
        if not allowed or obj is None or request.user.is_superuser or isinstance(self, InlineModelAdmin):
            return allowed
        return self.can_write(request, obj)

    # -- choices ------------------------------------------------------------------------------
    def choice_queryset(self, request: HttpRequest, model: type[Model]) -> QuerySet[Any]:
        """Return the rows of MODEL an administrator may pick in a form (deny by default)."""
        related = self.admin_site._registry.get(model)  # type: ignore[attr-defined]
        if isinstance(related, ScopedAdminMixin):
            return related.scope_queryset(request, model._default_manager.all())
        return model._default_manager.none()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = self.choice_queryset(request, db_field.remote_field.model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser and "queryset" not in kwargs:
            kwargs["queryset"] = self.choice_queryset(request, db_field.remote_field.model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def _checked_form(self, request: HttpRequest, form: Any) -> Any:
        """Return FORM's class with a check that the row being saved stays in scope (Chinese error)."""
        admin_self = self
        if request.user.is_superuser:
            return form

        def _post_clean(form_self: Any) -> None:
            form._post_clean(form_self)
            if form_self._errors or (isinstance(admin_self, InlineModelAdmin)
                                     and "__" in (admin_self.scope_field or "")):
                return  # rows scoped through their parent are checked with the parent
            if not admin_self.can_write(request, form_self.instance):
                form_self.add_error(None, refusal(form_self.instance._meta))

        return type(form.__name__, (form,), {"_post_clean": _post_clean})

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return self._checked_form(request, super().get_form(request, obj, change=change, **kwargs))  # type: ignore[misc]

    # -- reads and writes ---------------------------------------------------------------------
    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            _before(request)[(obj._meta.label_lower, str(obj.pk))] = snapshot(obj)
        return obj

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str) -> Any:
        if not request.user.is_superuser:
            raise Http404(f"{opts.verbose_name}不存在，或不在您的管辖范围内。")
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)  # type: ignore[misc]

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        obj = super().save_form(request, form, change)  # type: ignore[misc]
        if not self.can_write(request, obj):  # the form check above, again at the write
            raise PermissionDenied(refusal(obj._meta))
        return obj

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_admin(request, "add", obj, diff({}, snapshot(obj)))
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        before = _before(request).get((obj._meta.label_lower, str(obj.pk)), {})
        audit_admin(request, "change", obj, diff(before, snapshot(obj)))
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            audit_admin(request, "delete", obj, diff(snapshot(obj), {}))
        return super().log_deletions(request, queryset)  # type: ignore[misc]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        model = formset.model
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk]
        before = {str(pk): snapshot(o) for pk, o in model._default_manager.in_bulk(pks).items()}
        for f in formset.forms:
            if not request.user.is_superuser and f.has_changed() and not self.can_write_inline(request, f.instance):
                raise PermissionDenied(refusal(model._meta))
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            audit_admin(request, "add", obj, diff({}, snapshot(obj)), parent=str(form.instance.pk))
        for obj, _names in formset.changed_objects:
            audit_admin(request, "change", obj, diff(before.get(str(obj.pk), {}), snapshot(obj)),
                        parent=str(form.instance.pk))
        for obj in formset.deleted_objects:
            audit_admin(request, "delete", obj, diff(before.get(str(obj.pk), {}), {}), parent=str(form.instance.pk))

    def can_write_inline(self, request: HttpRequest, obj: Model) -> bool:
        """Return whether the inline row OBJ may be written (rows scoped by their parent: the parent decides)."""
        for inline in self.get_inline_instances(request):  # type: ignore[attr-defined]
            if inline.model is type(obj) and isinstance(inline, ScopedAdminMixin):
                return "__" in (inline.scope_field or "") or inline.can_write(request, obj)
        return False

    def get_actions(self, request: HttpRequest, action_location: Any = ActionLocation.CHANGE_LIST) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request, action_location)  # type: ignore[misc]
        return {name: replace(a, func=self._scoped_action(a.func, name)) for name, a in actions.items()}

    def _scoped_action(self, func: Any, name: str) -> Any:
        """Wrap an admin action: refuse it on rows the administrator may not write; audit it."""
        admin_self = self

        @wraps(func)
        def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
            if not request.user.is_superuser and any(not admin_self.can_write(request, o) for o in queryset):
                messages.error(request, f"所选{queryset.model._meta.verbose_name}中有只读或不在您管辖范围内的数据，"
                                        "未执行该操作。")
                return None
            if name != "delete_selected":  # deletions are audited row by row in log_deletions
                for obj in queryset:
                    audit_admin(request, f"action:{name}", obj)
            return func(modeladmin, request, queryset)

        return run


class ScopedInlineMixin(ScopedAdminMixin):
    """The same restriction for an inline: its rows and the choices in its forms."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = self._checked_form(request, formset.form)
        return formset


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin limited to the administrator's subtree."""


class ScopedReadOnlyAdmin(ScopedAdmin):
    """Rows written by actions only: shown (in scope), never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def adopt(site: admin.AdminSite, model: type[Model], *, national: str = HIDDEN) -> None:
    """Re-register a third-party admin of MODEL (no organisation) with the scoping mixin."""
    current = site._registry.get(model)
    if current is None or isinstance(current, ScopedAdminMixin):
        return
    cls = type(current)
    site.unregister(model)
    site.register(model, type(f"Scoped{cls.__name__}", (ScopedAdminMixin, cls),
                              {"scope_field": None, "national": national, "__module__": __name__}))


# Third-party admins with no organisation: hidden below the superuser. Adopted from urls.py, after
# every app's admin module has registered (add here any new app that registers an admin).
THIRD_PARTY_ADMINS = ["auth.Group", "django_tasks_database.DBTaskResult", "axes.AccessAttempt", "axes.AccessLog",
                      "axes.AccessFailureLog", "otp_totp.TOTPDevice", "otp_static.StaticDevice"]


def adopt_third_party(site: admin.AdminSite) -> None:
    """Adopt every installed model of THIRD_PARTY_ADMINS that is registered on SITE."""
    from django.apps import apps

    for label in THIRD_PARTY_ADMINS:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        adopt(site, model)
