"""The system administrator manages users and roles of their own subtree, never their own."""

from __future__ import annotations

from jiuzhu.accounts.models import Membership


def _login(client, world):  # type: ignore[no-untyped-def]
    admin = world.user("540500", "admin")
    client.force_login(admin)
    return admin


def test_an_administrator_cannot_grant_themselves_a_role(world, client) -> None:
    admin = _login(client, world)
    response = client.post("/admin/accounts/membership/add/", {
        "user": admin.pk, "org": world.orgs["540500"].pk, "role": "kongshen", "is_active": "on"})
    assert response.status_code in (200, 403)
    assert not Membership.objects.filter(user=admin, role="kongshen").exists()


def test_an_administrator_cannot_grant_roles_above_their_procuratorate(world, client) -> None:
    _login(client, world)
    other = world.user("540528", "finance")
    client.post("/admin/accounts/membership/add/", {
        "user": other.pk, "org": world.orgs["540000"].pk, "role": "kongshen", "is_active": "on"})
    assert not Membership.objects.filter(user=other, org=world.orgs["540000"]).exists()
    client.post("/admin/accounts/membership/add/", {
        "user": other.pk, "org": world.orgs["540528"].pk, "role": "kongshen", "is_active": "on"})
    assert Membership.objects.filter(user=other, org=world.orgs["540528"], role="kongshen").exists()


def test_an_administrator_is_never_offered_superuser_status(world, client) -> None:
    _login(client, world)
    user = world.user("540528", "kongshen")
    html = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "is_superuser" not in html and "user_permissions" not in html and "is_staff" not in html
    assert client.get(f"/admin/accounts/user/{world.user('540000', 'admin').pk}/change/").status_code == 404


def test_administrators_do_not_read_the_audit_trail(world, client) -> None:
    _login(client, world)
    assert client.get("/admin/audit/auditentry/").status_code == 403
