"""Every admin is limited to the administrator's subtree; admin writes are audited; approving roles need four eyes.

The red team's steps (issue 11, finding 2), each refused: a city administrator changed the province's
wage base, added an OrgSetting for the province, gave a role in Shannan to a province-level user and
created a user with a deputy-chief role who then opened cases.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.accounts.access import has_capability, memberships_of
from jiuzhu.accounts.actions import create_staff_user
from jiuzhu.accounts.admin_scope import ScopedAdminMixin
from jiuzhu.accounts.models import Capability, Membership, Role, User
from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.access import cases_visible_to
from jiuzhu.orgs.models import OrgSetting
from jiuzhu.rules.models import ApprovalRule, WageBase

PASSWORD = "Jiuzhu@2026x"


def _city_admin(client, world):  # type: ignore[no-untyped-def]
    admin_user = world.user("540500", "admin")
    client.force_login(admin_user)
    return admin_user


def _entries(action: str, model: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind="admin", detail__action=action, detail__model=model))


def _add_user_with_role(client, org, role: str, username: str = "new_deputy"):  # type: ignore[no-untyped-def]
    return client.post("/admin/accounts/user/add/", {
        "username": username, "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-org": org.pk, "memberships-0-role": role,
        "memberships-0-is_active": "on", "_save": "保存"})


# ---------------------------------------------------------------------------------------------
# Every registered admin uses the scoping base


def test_it_scopes_every_registered_admin() -> None:
    import jiuzhu.urls  # noqa: F401  (adopts the third-party admins, as serving does)

    unscoped = [m._meta.label for m, ma in admin.site._registry.items() if not isinstance(ma, ScopedAdminMixin)]
    unscoped += [f"{m._meta.label} inline {i.__name__}" for m, ma in admin.site._registry.items()
                 for i in ma.inlines if not issubclass(i, ScopedAdminMixin)]
    assert unscoped == [], f"admin registered without accounts.admin_scope.ScopedAdminMixin: {unscoped}"
    assert len(admin.site._registry) >= 28  # everything from the apps' admin modules is checked


@pytest.mark.parametrize("who", ["540500", "540000", "superuser"])
def test_every_admin_page_answers_without_an_error_for_each_level(world, client, who: str) -> None:
    import jiuzhu.urls  # noqa: F401

    if who == "superuser":
        client.force_login(User.objects.create_superuser("root", password=PASSWORD))
    else:
        client.force_login(world.user(who, "admin"))
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for url in (base, base + "add/"):
            status = client.get(url).status_code
            assert status in (200, 403), (url, status)


# ---------------------------------------------------------------------------------------------
# The red team's steps


def test_a_city_administrator_cannot_change_the_provinces_wage_base(world, client) -> None:
    _city_admin(client, world)
    base = WageBase.objects.filter(province_code="540000").order_by("-year").first()
    assert base is not None
    before = base.monthly_amount
    page = client.get(f"/admin/rules/wagebase/{base.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read-only
    response = client.post(f"/admin/rules/wagebase/{base.pk}/change/", {
        "province_code": "540000", "year": base.year, "statistic": base.statistic, "monthly_amount": "1",
        "source": "x", "_save": "保存"})
    assert response.status_code == 403
    assert "只能" in response.content.decode() or "权限" in response.content.decode()
    assert client.post("/admin/rules/wagebase/add/", {
        "province_code": "540000", "year": 2031, "statistic": base.statistic, "monthly_amount": "1",
        "source": "x"}).status_code == 403
    base.refresh_from_db()
    assert base.monthly_amount == before and not WageBase.objects.filter(year=2031).exists()


def test_the_province_administrator_may_change_the_wage_base(world, client) -> None:
    client.force_login(world.user("540000", "admin"))
    base = WageBase.objects.filter(province_code="540000").order_by("-year").first()
    response = client.post(f"/admin/rules/wagebase/{base.pk}/change/", {
        "province_code": "540000", "year": base.year, "statistic": base.statistic, "monthly_amount": "12345.67",
        "source": base.source, "note": base.note, "is_illustrative": "on", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:2000]
    base.refresh_from_db()
    assert base.monthly_amount == Decimal("12345.67")
    [entry] = _entries("change", "rules.wagebase")
    assert entry.detail["changes"]["monthly_amount"]["after"] == "12345.67"


def test_a_city_administrator_cannot_add_an_org_setting_for_the_province(world, client) -> None:
    _city_admin(client, world)
    province = world.orgs["540000"]
    form = client.get("/admin/orgs/orgsetting/add/").content.decode()
    assert f'value="{province.pk}"' not in form  # not even offered
    assert f'value="{world.orgs["540528"].pk}"' in form
    response = client.post("/admin/orgs/orgsetting/add/", {
        "org": province.pk, "key": "funds.recover_refused_advance", "value": "false", "note": ""})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not OrgSetting.objects.filter(org=province).exists()


def test_a_province_setting_is_not_shown_and_its_page_is_404_for_a_city_administrator(world, client) -> None:
    theirs = OrgSetting.objects.create(org=world.orgs["540000"], key="funds.recover_refused_advance", value=False)
    ours = OrgSetting.objects.create(org=world.orgs["540528"], key="funds.recover_refused_advance", value=False)
    _city_admin(client, world)
    listing = client.get("/admin/orgs/orgsetting/").content.decode()
    assert f"/admin/orgs/orgsetting/{ours.pk}/change/" in listing
    assert f"/admin/orgs/orgsetting/{theirs.pk}/change/" not in listing
    page = client.get(f"/admin/orgs/orgsetting/{theirs.pk}/change/")
    assert page.status_code == 404 and "不存在" in page.content.decode()
    assert client.post(f"/admin/orgs/orgsetting/{theirs.pk}/delete/", {"post": "yes"}).status_code == 404
    assert OrgSetting.objects.filter(pk=theirs.pk).exists()


def test_a_city_administrator_cannot_give_a_shannan_role_to_a_province_user(world, client) -> None:
    _city_admin(client, world)
    province_user = world.user("540000", "kongshen")
    form = client.get("/admin/accounts/membership/add/").content.decode()
    assert f'value="{province_user.pk}"' not in form
    response = client.post("/admin/accounts/membership/add/", {
        "user": province_user.pk, "org": world.orgs["540500"].pk, "role": "kongshen", "is_active": "on"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Membership.objects.filter(user=province_user, org=world.orgs["540500"]).exists()
    # Nor edit that user (password, name): not in the subtree, 404.
    assert client.get(f"/admin/accounts/user/{province_user.pk}/change/").status_code == 404


def test_a_user_created_with_a_deputy_chief_role_opens_no_case_until_a_second_admin_confirms(world, client) -> None:
    requester = _city_admin(client, world)
    response = _add_user_with_role(client, world.orgs["540500"], Role.DEPUTY_CHIEF)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new_deputy")
    grant = Membership.objects.get(user=user)
    assert grant.is_pending and not grant.is_active and grant.requested_by == requester
    assert memberships_of(user) == [] and not has_capability(user, Capability.APPROVE)
    assert not cases_visible_to(user).exists()
    client.force_login(user)
    assert client.get("/").status_code == 403  # the worklist: no role yet
    assert _entries("grant_requested", "accounts.membership")


# ---------------------------------------------------------------------------------------------
# Four eyes


@pytest.fixture
def pending(world, client):  # type: ignore[no-untyped-def]
    """A deputy-chief grant in Jiacha requested by the city administrator."""
    requester = _city_admin(client, world)
    user = world.user("540528", "kongshen")
    client.post("/admin/accounts/membership/add/", {
        "user": user.pk, "org": world.orgs["540528"].pk, "role": Role.DEPUTY_CHIEF, "is_active": "on"})
    grant = Membership.objects.get(user=user, role=Role.DEPUTY_CHIEF)
    assert grant.is_pending and not grant.is_active
    return grant, requester


def test_the_requester_cannot_confirm_their_own_grant(pending, client) -> None:
    grant, _requester = pending
    page = client.get(f"/admin/accounts/pendinggrant/{grant.pk}/confirm/").content.decode()
    assert "申请人本人不能确认" in page
    client.post(f"/admin/accounts/pendinggrant/{grant.pk}/confirm/")
    client.post("/admin/accounts/pendinggrant/", {"action": "confirm_selected", "_selected_action": [grant.pk]})
    # Nor by switching it on in the membership form: it stays held.
    client.post(f"/admin/accounts/membership/{grant.pk}/change/", {
        "user": grant.user_id, "org": grant.org_id, "role": grant.role, "is_active": "on"})
    grant.refresh_from_db()
    assert grant.is_pending and not grant.is_active


def test_a_lower_administrator_cannot_confirm_a_city_request(world, pending, client) -> None:
    grant, _ = pending
    county_admin = create_staff_user("jiacha_admin2", password=PASSWORD, full_name="县管理员",
                                     org=world.orgs["540528"], role=Role.ADMIN)
    client.force_login(county_admin)
    response = client.post(f"/admin/accounts/pendinggrant/{grant.pk}/confirm/", follow=True)
    assert "不能确认" in response.content.decode()
    grant.refresh_from_db()
    assert grant.is_pending


def test_a_second_administrator_of_the_same_org_or_above_confirms_and_both_steps_are_audited(
        world, pending, client) -> None:
    grant, requester = pending
    second = create_staff_user("shannan_admin2", password=PASSWORD, full_name="第二管理员",
                               org=world.orgs["540500"], role=Role.ADMIN)
    client.force_login(second)
    assert str(grant.user) in client.get("/admin/accounts/pendinggrant/").content.decode()
    response = client.post(f"/admin/accounts/pendinggrant/{grant.pk}/confirm/", follow=True)
    assert "已确认授权" in response.content.decode()
    grant.refresh_from_db()
    assert grant.is_active and not grant.is_pending and grant.confirmed_by == second
    assert has_capability(User.objects.get(pk=grant.user_id), Capability.APPROVE)
    [asked] = _entries("grant_requested", "accounts.membership")
    [confirmed] = _entries("grant_confirmed", "accounts.membership")
    assert asked.actor == requester and confirmed.actor == second
    assert confirmed.detail["requested_by"] == requester.pk


def test_a_province_administrator_may_confirm_a_city_request(world, pending, client) -> None:
    grant, _ = pending
    client.force_login(world.user("540000", "admin"))
    client.post(f"/admin/accounts/pendinggrant/{grant.pk}/confirm/")
    grant.refresh_from_db()
    assert grant.is_active


def test_resetting_an_approvers_password_holds_their_approving_role_for_a_second_admin(world, client) -> None:
    requester = _city_admin(client, world)
    deputy = world.user("540528", "deputy_chief")
    response = client.post(f"/admin/accounts/user/{deputy.pk}/password/", {
        "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}, follow=True)
    assert "需要另一名系统管理员确认" in response.content.decode()
    grant = Membership.objects.get(user=deputy, role=Role.DEPUTY_CHIEF)
    assert grant.is_pending and grant.requested_by == requester
    assert not has_capability(User.objects.get(pk=deputy.pk), Capability.APPROVE)
    client.force_login(world.user("540000", "admin"))
    client.post(f"/admin/accounts/pendinggrant/{grant.pk}/confirm/")
    assert has_capability(User.objects.get(pk=deputy.pk), Capability.APPROVE)


def test_a_role_without_approval_is_given_at_once(world, client) -> None:
    _city_admin(client, world)
    user = world.user("540528", "finance")
    client.post("/admin/accounts/membership/add/", {
        "user": user.pk, "org": world.orgs["540528"].pk, "role": Role.KONGSHEN, "is_active": "on"})
    grant = Membership.objects.get(user=user, role=Role.KONGSHEN)
    assert grant.is_active and not grant.is_pending


# ---------------------------------------------------------------------------------------------
# Audit with the diff


def test_every_admin_write_is_audited_with_the_field_by_field_difference(world, client) -> None:
    _city_admin(client, world)
    rule = ApprovalRule.objects.create(org=world.orgs["540528"], min_amount=0, steps=["dept_head"])
    response = client.post(f"/admin/rules/approvalrule/{rule.pk}/change/", {
        "org": rule.org_id, "min_amount": "5000", "steps": '["dept_head"]', "note": "改为五千元起", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]
    [entry] = _entries("change", "rules.approvalrule")
    assert entry.detail["changes"]["min_amount"] == {"before": "0.00", "after": "5000.00"}
    assert entry.detail["changes"]["note"] == {"before": "", "after": "改为五千元起"}
    assert "org" not in entry.detail["changes"]
    client.post(f"/admin/rules/approvalrule/{rule.pk}/delete/", {"post": "yes"})
    [gone] = _entries("delete", "rules.approvalrule")
    assert gone.detail["changes"]["min_amount"] == {"before": "5000.00", "after": ""}


def test_the_audit_never_holds_passwords_or_phones_in_clear(world, client) -> None:
    _city_admin(client, world)
    user = world.user("540528", "finance")
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {
        "username": user.username, "full_name": user.full_name, "phone": "13812345678", "email": "",
        "is_active": "on", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000", "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]
    _add_user_with_role(client, world.orgs["540528"], Role.KONGSHEN, username="new_kongshen")
    text = str([e.detail for e in AuditEntry.objects.filter(kind="admin")])
    assert "13812345678" not in text and PASSWORD not in text and "pbkdf2" not in text and "md5$" not in text
    [entry] = _entries("change", "accounts.user")
    assert entry.detail["changes"]["phone"]["after"] == "138****78"
    [added] = [e for e in _entries("add", "accounts.user") if e.detail["object"] == "new_kongshen"]
    assert added.detail["changes"]["password"]["after"] == "***"


# ---------------------------------------------------------------------------------------------
# Read-only reference data, choices, organisations, actions


def test_national_templates_and_holidays_are_read_only_below_the_province(world, client) -> None:
    from jiuzhu.calendar.models import SpecialDay
    from jiuzhu.documents.actions import ensure_default_templates
    from jiuzhu.documents.models import DocumentTemplate

    ensure_default_templates()
    national = DocumentTemplate.objects.filter(org__isnull=True).first()
    day = SpecialDay.objects.first()
    _city_admin(client, world)
    assert client.post("/admin/calendar/specialday/add/", {"date": "2031-01-01", "is_workday": "",
                                                            "name": "元旦", "source": "测试"}).status_code == 403
    assert client.post(f"/admin/calendar/specialday/{day.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SpecialDay.objects.filter(pk=day.pk).exists()
    national.is_active = False
    national.save(update_fields=["is_active"])
    response = client.post("/admin/documents/documenttemplate/", {
        "action": "activate", "_selected_action": [national.pk]}, follow=True)
    assert "只读或不在您管辖范围内" in response.content.decode()
    national.refresh_from_db()
    assert not national.is_active


def test_a_city_administrator_cannot_edit_their_own_or_the_provinces_organisation(world, client) -> None:
    _city_admin(client, world)
    own, province = world.orgs["540500"], world.orgs["540000"]
    assert client.get(f"/admin/orgs/organisation/{province.pk}/change/").status_code == 404
    assert client.post(f"/admin/orgs/organisation/{own.pk}/change/", {
        "name": "改名", "kind": "procuratorate", "level": "city", "code": "540500"}).status_code == 403
    own.refresh_from_db()
    assert own.name != "改名"


def test_the_system_administrator_still_cannot_handle_or_approve_cases(world, client) -> None:
    for code in ("540000", "540500"):
        admin_user = world.user(code, "admin")
        assert not cases_visible_to(admin_user).exists()
        for cap in (Capability.HANDLE_CASES, Capability.APPROVE, Capability.APPROVE_ADVANCE, Capability.VIEW_CASES):
            assert not has_capability(admin_user, cap)
        client.force_login(admin_user)
        assert client.get("/cases/new/").status_code == 403


def test_an_administrator_cannot_be_made_a_case_handler_or_approver(world, client) -> None:
    province_admin = world.user("540000", "admin")
    client.force_login(province_admin)
    city_admin = world.user("540500", "admin")
    response = client.post("/admin/accounts/membership/add/", {
        "user": city_admin.pk, "org": world.orgs["540500"].pk, "role": Role.KONGSHEN, "is_active": "on"})
    assert response.status_code == 200 and "系统管理员不能同时担任办案" in response.content.decode()
    response = client.post("/admin/accounts/user/add/", {
        "username": "both", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
        "memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-org": world.orgs["540500"].pk,
        "memberships-0-role": Role.ADMIN, "memberships-0-is_active": "on",
        "memberships-1-org": world.orgs["540500"].pk, "memberships-1-role": Role.KONGSHEN,
        "memberships-1-is_active": "on", "_save": "保存"})
    assert response.status_code == 403 and "系统管理员不能同时担任办案" in response.content.decode()
    assert not User.objects.filter(username="both").exists()
    assert not Membership.objects.filter(user=city_admin, role=Role.KONGSHEN).exists()


def test_a_fellow_administrator_of_the_same_org_cannot_reset_the_others_account(world, client) -> None:
    second = create_staff_user("shannan_admin2", password=PASSWORD, full_name="第二管理员",
                               org=world.orgs["540500"], role=Role.ADMIN)
    client.force_login(second)
    city_admin = world.user("540500", "admin")
    assert client.post(f"/admin/accounts/user/{city_admin.pk}/password/", {
        "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}).status_code in (403, 404)
    city_admin.refresh_from_db()
    assert not city_admin.check_password(PASSWORD)
    client.force_login(world.user("540000", "admin"))  # the superior administrator may
    page = client.get(f"/admin/accounts/user/{city_admin.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()


# ---------------------------------------------------------------------------------------------
# Query counts


@pytest.mark.parametrize("url", ["/admin/orgs/orgsetting/", "/admin/accounts/membership/?q=qc",
                                 "/admin/accounts/user/?q=qc", "/admin/rules/approvalrule/", "/admin/rules/wagebase/",
                                 "/admin/accounts/pendinggrant/", "/admin/orgs/organisation/?q=qc",
                                 "/admin/orgs/department/", "/admin/documents/numberpattern/"])
def test_the_scoped_changelists_do_not_grow_queries_with_rows(world, client, url: str) -> None:
    from jiuzhu.documents.models import NumberPattern
    from jiuzhu.orgs.actions import create_department, create_organisation
    from jiuzhu.orgs.policy import SETTINGS

    _city_admin(client, world)
    keys = iter(k for k, d in SETTINGS.items() if isinstance(d.default, bool | int) and not isinstance(d.default, str))
    made: list[int] = []

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context["cl"].result_count

    def more(n: int) -> None:
        for _ in range(n):
            i = len(made)
            made.append(i)
            org = create_organisation(name=f"qc测试院{i}", code=f"5405{60 + i}", parent=world.orgs["540528"],
                                      short_name=f"qc{i}")
            dept = create_department(org, kind="complaint")
            user = create_staff_user(f"qc{i}", password="md5$x$y", full_name=f"用户{i}", org=org,
                                     role=Role.KONGSHEN, department=dept)
            Membership.objects.create(user=user, org=org, role=Role.DEPUTY_CHIEF, is_active=False,
                                      requested_by=world.user("540500", "admin"), department=dept)
            key = next(keys)
            OrgSetting.objects.create(org=org, key=key, value=SETTINGS[key].default)
            ApprovalRule.objects.create(org=org, min_amount=1000, steps=["dept_head"])
            WageBase.objects.create(province_code="540000", year=2040 + i, monthly_amount=100, source="测试",
                                    statistic=WageBase.objects.first().statistic)
            NumberPattern.objects.create(org=org, kind="grant_decision", pattern="{issuer}〔{year}〕{serial}号")

    more(1)
    small, rows_small = count()
    more(4)
    big, rows_big = count()
    assert rows_big > rows_small  # the page really shows more rows
    assert big == small, (small, big)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_confirming_at_once_confirm_once(world) -> None:
    from django.core.exceptions import PermissionDenied

    from jiuzhu.accounts import grants
    from jiuzhu.lib import clock
    from jiuzhu.testing import race

    grant = Membership.objects.create(user=world.user("540528", "kongshen"), org=world.orgs["540528"],
                                      role=Role.CHIEF, is_active=False, requested_by=world.user("540500", "admin"),
                                      requested_at=clock.now())
    second = create_staff_user("shannan_admin2", password=PASSWORD, full_name="第二管理员",
                               org=world.orgs["540500"], role=Role.ADMIN)
    first = world.user("540000", "admin")
    results = race(lambda: grants.confirm(grant, acting_user=first), lambda: grants.confirm(grant, acting_user=second))
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert sum(isinstance(r, PermissionDenied) for r in results) == 1
    grant.refresh_from_db()
    assert grant.is_active and grant.confirmed_by_id in (first.pk, second.pk)


def test_a_city_administrator_uploads_templates_for_their_subtree_but_not_national_ones(world, client) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document

    from jiuzhu.documents import builder
    from jiuzhu.documents.models import DocumentTemplate, Kind

    out = io.BytesIO()
    Document(io.BytesIO(builder.build_default_template(Kind.GRANT_DECISION))).save(out)

    def upload(org: str):  # type: ignore[no-untyped-def]
        return client.post("/admin/documents/documenttemplate/add/", {
            "kind": Kind.GRANT_DECISION, "org": org, "note": "",
            "upload": SimpleUploadedFile("模板.docx", out.getvalue(), content_type=DOCX_TYPE)})

    _city_admin(client, world)
    before = DocumentTemplate.objects.count()
    response = upload("")  # org empty: the national default
    text = response.content.decode()
    assert response.status_code == 200 and ("您只能管理本院及下级院的文书模板" in text or "全国默认模板只有" in text)
    assert upload(str(world.orgs["540000"].pk)).status_code == 200
    assert DocumentTemplate.objects.count() == before
    assert upload(str(world.orgs["540528"].pk)).status_code == 302
    assert DocumentTemplate.objects.filter(org=world.orgs["540528"]).exists()
    from jiuzhu.documents.actions import upload_template

    theirs = upload_template(Kind.GRANT_DECISION, org=world.orgs["540000"], data=out.getvalue(),
                             acting_user=world.user("540000", "admin"))
    assert client.get(f"/admin/documents/documenttemplate/{theirs.pk}/file/").status_code == 404


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_audit_diff_masks_encrypted_fields_but_says_they_changed(world) -> None:
    from jiuzhu.accounts.admin_scope import diff, snapshot
    from jiuzhu.support.models import PartnerAgency, PartnerContact

    agency = PartnerAgency.objects.create(org=world.orgs["540528"], name="加查县民政局", kind="civil_affairs")
    contact = PartnerContact.objects.create(agency=agency, name="联络员", phone="13900001111")
    before = snapshot(PartnerContact.objects.get(pk=contact.pk))
    contact.phone = "13900002222"
    contact.save()
    changes = diff(before, snapshot(PartnerContact.objects.get(pk=contact.pk)))
    assert changes == {"phone": {"before": "***", "after": "***"}}
    assert "1390000" not in str(before)
