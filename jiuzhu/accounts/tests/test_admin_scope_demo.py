"""On the whole Shannan demo: every admin shows a county or city administrator only their subtree's rows."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from jiuzhu.accounts.admin_scope import HIDDEN, ScopedAdminMixin, in_subtree
from jiuzhu.accounts.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def _request(user: User):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("code", ["540500", "540000"])
def test_every_admin_shows_only_rows_of_the_administrators_subtree(demo_loaded, code: str) -> None:
    import jiuzhu.urls  # noqa: F401

    user = Membership.objects.get(org__code=code, role=Role.ADMIN).user
    request = _request(user)
    checked = 0
    outside_seen = 0
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ScopedAdminMixin)
        everything = model._default_manager.count()
        rows = list(model_admin.get_queryset(request)[:500])
        for obj in rows:
            if model is User:
                continue  # scoped by every membership (users_in_subtree), checked in test_admin_scope.py
            if model._meta.label == "orgs.Organisation":
                assert in_subtree(user, obj), obj  # scoped by its own path (its parent decides writes)
                checked += 1
                continue
            org = model_admin.scope_org(obj)
            if org is None:
                assert model_admin.national != HIDDEN, (model._meta.label, obj.pk)
            else:
                assert in_subtree(user, org), (model._meta.label, obj.pk, org)
            checked += 1
        outside_seen += everything - len(rows) if everything <= 500 else 0
    assert checked > 500
    if code == "540500":
        assert outside_seen > 0  # the province's rows exist and were left out
