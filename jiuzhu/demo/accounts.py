"""The demo accounts (contracts §2): listing them with their roles, and their second factor."""

from __future__ import annotations

from typing import Any

from jiuzhu.accounts.models import Membership, Role, User
from jiuzhu.demo import data


def enrol_demo_accounts() -> int:
    """Give every demo account a TOTP device with a fresh random secret (`jiuzhu demo-accounts` prints it)."""
    from jiuzhu.accounts.twofactor import enrol_with_key

    users = User.objects.filter(username__regex=DEMO_USERNAME, memberships__is_active=True).distinct()
    for user in users:
        enrol_with_key(user, name="演示身份验证器")
    return len(users)



DEMO_USERNAME = r"^[a-z]+_[a-z_]+$"



def demo_accounts() -> list[dict[str, Any]]:
    """Return the demo users: username, password, role, organisation code and name (contracts §2)."""
    from jiuzhu.accounts.twofactor import secret_base32

    rows = (Membership.objects.filter(user__username__regex=DEMO_USERNAME, is_active=True)
            .select_related("user", "org").order_by("org__code", "role"))
    order = {r: i for i, r in enumerate(Role.values)}
    out = [{"username": m.user.username, "password": data.DEMO_PASSWORD, "role": m.get_role_display(),
            "org_code": m.org.code or "", "org_name": m.org.name, "_order": order[m.role]} for m in rows]
    out.sort(key=lambda r: (r["org_code"], r["_order"]))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    secret_of = {d.user.username: secret_base32(d) for d in TOTPDevice.objects.filter(
        confirmed=True, user__username__in=[r["username"] for r in out]).select_related("user")}
    for r in out:
        del r["_order"]
        if r["username"] in secret_of:  # loaded with --with-2fa: the TOTP secret to put in an app
            r["totp_secret"] = secret_of[r["username"]]
    return out
