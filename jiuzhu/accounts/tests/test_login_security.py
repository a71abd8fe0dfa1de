"""Staff login: lockout after failed passwords, the second factor, session lifetime (issue 11 #3, #9)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.accounts import twofactor
from jiuzhu.audit.models import AuditEntry
from jiuzhu.demo.data import DEMO_PASSWORD
from jiuzhu.testing import password_login

pytestmark = pytest.mark.django_db
LOCKED = "登录失败次数过多"


def _post_login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def _code(device: TOTPDevice, drift: int = 0) -> str:
    """The code an authenticator app shows now, computed from the secret alone."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


@pytest.fixture
def enforced(settings):  # type: ignore[no-untyped-def]
    settings.JIUZHU_2FA_REQUIRED = True
    return settings


# --- lockout ---------------------------------------------------------------------------------------

def test_it_refuses_the_right_password_after_25_wrong_ones(world) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(25):
        assert _post_login(client, "jiacha_kongshen", "wrong-password").status_code in (200, 429)
    response = _post_login(client, "jiacha_kongshen", DEMO_PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "联系系统管理员解除锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    user = world.user("540528", "kongshen")
    assert AuditEntry.objects.filter(kind="lockout", actor=user).count() == 1
    assert AuditEntry.objects.filter(kind="login_failed", actor=user).count() == 26
    first = AuditEntry.objects.filter(kind="login_failed", actor=user).first()
    assert first is not None and first.detail["ip"] == "203.0.113.7"


def test_it_locks_only_after_the_configured_limit_and_per_address(world, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        _post_login(client, "jiacha_kongshen", "wrong-password")
    assert password_login(client, "jiacha_kongshen", DEMO_PASSWORD)  # 2 < 3: still allowed, and reset
    client.logout()
    for _ in range(3):
        _post_login(client, "jiacha_kongshen", "wrong-password")
    assert not password_login(client, "jiacha_kongshen", DEMO_PASSWORD)
    # Another address is not locked out: an attacker cannot lock a colleague out from elsewhere.
    assert password_login(Client(REMOTE_ADDR="198.51.100.2"), "jiacha_kongshen", DEMO_PASSWORD)


def test_an_administrator_unlocks_a_user_of_their_subtree_and_it_is_audited(world) -> None:
    victim = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        _post_login(victim, "jiacha_kongshen", "wrong-password")
    _post_login(Client(REMOTE_ADDR="203.0.113.8"), "xizang_kongshen", "wrong-password")  # a province user
    admin = Client()
    city_admin = world.user("540500", "admin")
    admin.force_login(city_admin)
    page = admin.get("/admin/accounts/loginlockout/")
    assert page.status_code == 200
    assert "jiacha_kongshen" in page.content.decode() and "xizang_kongshen" not in page.content.decode()
    mine = AccessAttempt.objects.get(username="jiacha_kongshen")
    theirs = AccessAttempt.objects.get(username="xizang_kongshen")
    admin.post("/admin/accounts/loginlockout/", {"action": "unlock",
                                              "_selected_action": [mine.pk, theirs.pk]})
    assert not AccessAttempt.objects.filter(username="jiacha_kongshen").exists()
    assert AccessAttempt.objects.filter(username="xizang_kongshen").exists()  # outside the subtree
    entry = AuditEntry.objects.get(kind="unlock")
    assert entry.actor == city_admin and entry.detail["target"] == "jiacha_kongshen"
    assert password_login(victim, "jiacha_kongshen", DEMO_PASSWORD)


def test_a_case_handler_cannot_open_the_lockout_screen(world) -> None:
    client = Client()
    client.force_login(world.user("540528", "kongshen"))
    assert client.get("/admin/accounts/loginlockout/").status_code == 302  # not staff: to the admin login


# --- second factor ---------------------------------------------------------------------------------

def test_a_chief_without_a_device_is_sent_to_enrol_before_anything_else(world, enforced) -> None:
    chief = world.user("540528", "chief")
    client = Client()
    response = _post_login(client, chief.username, DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/setup/")
    assert client.get("/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/account/2fa/setup/")
    page = client.get("/account/2fa/setup/")
    assert page.status_code == 200 and "<svg" in page.content.decode() and "绑定身份验证器" in page.content.decode()
    device = TOTPDevice.objects.get(user=chief, confirmed=False)
    assert twofactor.secret_base32(device) in page.content.decode().replace(" ", "")
    done = client.post("/account/2fa/setup/", {"token": _code(device), "next": "/"})
    assert done.status_code == 200 and "备用验证码" in done.content.decode()
    assert StaticToken.objects.filter(device__user=chief).count() == 10
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(kind="otp_enrol", actor=chief).exists()


def test_a_wrong_enrolment_code_confirms_nothing(world, enforced) -> None:
    client = Client()
    client.force_login(world.user("540528", "finance"))
    client.get("/account/2fa/setup/")
    response = client.post("/account/2fa/setup/", {"token": "000000"})
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_an_enrolled_user_verifies_with_a_real_code_after_the_password(world, enforced) -> None:
    head = world.user("540528", "dept_head")
    device = twofactor.enrol_with_key(head)
    client = Client()
    response = _post_login(client, head.username, DEMO_PASSWORD)
    assert response["Location"].startswith("/login/verify/")
    assert client.get("/").headers["Location"].startswith("/login/verify/")
    ok = client.post("/login/verify/", {"token": _code(device), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(kind="login", actor=head).exists()
    assert AuditEntry.objects.filter(kind="otp_verify", actor=head).exists()


def test_a_wrong_code_is_refused_and_audited(world, enforced) -> None:
    enforced.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling has its own test
    head = world.user("540528", "dept_head")
    device = twofactor.enrol_with_key(head)
    client = Client()
    _post_login(client, head.username, DEMO_PASSWORD)
    wrong = f"{(int(_code(device)) + 1) % 1000000:06d}"
    for token in (wrong, "", "x" * 20, "12345\x00"):
        response = client.post("/login/verify/", {"token": token, "next": "/"})
        assert response.status_code == 400
    assert "验证码不正确" in client.post("/login/verify/", {"token": wrong}).content.decode()
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(kind="otp_failed", actor=head).count() >= 2
    # A code is good once: replaying the one just used is refused.
    assert client.post("/login/verify/", {"token": twofactor.current_code(device)}).status_code == 302
    device.refresh_from_db()
    again = Client()
    _post_login(again, head.username, DEMO_PASSWORD)
    used = f"{totp(device.bin_key, drift=device.last_t - int((time.time() - device.t0) // device.step)):06d}"
    assert again.post("/login/verify/", {"token": used}).status_code == 400


def test_wrong_codes_slow_down_the_next_tries(world, enforced) -> None:
    enforced.OTP_TOTP_THROTTLE_FACTOR = 60
    enforced.OTP_STATIC_THROTTLE_FACTOR = 60
    head = world.user("540528", "dept_head")
    device = twofactor.enrol_with_key(head)
    client = Client()
    _post_login(client, head.username, DEMO_PASSWORD)
    client.post("/login/verify/", {"token": "000000"})
    response = client.post("/login/verify/", {"token": _code(device)})  # right, but too soon
    assert response.status_code == 400 and "验证失败次数过多" in response.content.decode()
    assert AuditEntry.objects.filter(kind="otp_failed", detail__throttled=True).exists()


def test_a_backup_code_works_once(world, enforced) -> None:
    enforced.OTP_STATIC_THROTTLE_FACTOR = 0
    enforced.OTP_TOTP_THROTTLE_FACTOR = 0
    head = world.user("540528", "dept_head")
    twofactor.enrol_with_key(head)
    code = twofactor.new_backup_codes(head)[0]
    client = Client()
    _post_login(client, head.username, DEMO_PASSWORD)
    assert client.post("/login/verify/", {"token": code, "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.get(kind="otp_backup", actor=head)
    assert entry.detail["remaining"] == 9
    again = Client()
    _post_login(again, head.username, DEMO_PASSWORD)
    assert again.post("/login/verify/", {"token": code}).status_code == 400


def test_an_optional_role_is_not_forced_but_the_admin_site_needs_the_second_factor(world, enforced) -> None:
    enforced.JIUZHU_2FA_ROLES = ["chief"]
    handler = Client()
    _post_login(handler, "jiacha_kongshen", DEMO_PASSWORD)
    assert handler.get("/").status_code == 200
    admin = Client()
    _post_login(admin, "shannan_admin", DEMO_PASSWORD)  # admin is not in the roles: the site works
    assert admin.get("/").status_code == 200
    assert admin.get("/admin/").headers["Location"].startswith("/account/2fa/setup/")


def test_the_admin_login_goes_through_the_staff_login(world) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fadmin%2F"


def test_a_role_given_after_login_asks_for_enrolment_within_a_minute(world, enforced) -> None:
    from jiuzhu.accounts.models import Membership

    kongshen = world.user("540528", "kongshen")
    client = Client()
    assert password_login(client, kongshen.username, DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    Membership.objects.create(user=kongshen, org=world.orgs["540528"], role="finance")
    session = client.session
    session["jz_seen"] = time.time() - 120
    session.save()
    assert client.get("/").headers["Location"].startswith("/account/2fa/setup/")


def test_an_administrator_resets_a_lost_device_and_it_is_audited(world, enforced) -> None:
    head = world.user("540528", "dept_head")
    device = twofactor.enrol_with_key(head)
    city_admin = world.user("540500", "admin")
    twofactor.enrol_with_key(city_admin)
    admin = Client()
    _post_login(admin, city_admin.username, DEMO_PASSWORD)
    admin.post("/login/verify/", {"token": twofactor.current_code(TOTPDevice.objects.get(user=city_admin))})
    assert admin.get("/admin/accounts/authenticatordevice/").status_code == 200
    admin.post("/admin/accounts/authenticatordevice/", {"action": "reset_2fa", "_selected_action": [device.pk]})
    assert not TOTPDevice.objects.filter(user=head).exists()
    assert AuditEntry.objects.get(kind="otp_reset").detail["target"] == head.username


def test_logging_out_is_audited(world) -> None:
    client = Client()
    assert password_login(client, "jiacha_kongshen", DEMO_PASSWORD)
    client.post("/logout/")
    assert AuditEntry.objects.filter(kind="logout", actor=world.user("540528", "kongshen")).exists()


# --- session lifetime ------------------------------------------------------------------------------

def test_a_session_expires_when_idle_and_after_the_maximum(world, settings) -> None:
    assert settings.SESSION_COOKIE_AGE == settings.JIUZHU_SESSION_IDLE_MINUTES * 60 == 30 * 60
    client = Client()
    assert password_login(client, "jiacha_kongshen", DEMO_PASSWORD)
    session = client.session
    session["jz_login_at"] = time.time() - 9 * 3600
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_activity_pushes_the_idle_expiry_back_and_idleness_ends_the_session(world) -> None:
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    assert password_login(client, "jiacha_kongshen", DEMO_PASSWORD)
    session = client.session
    session["jz_seen"] = time.time() - 120  # last activity two minutes ago
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert expiry > timezone.now() + dt.timedelta(minutes=29)  # pushed back by the activity
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))  # 30 idle minutes later
    assert client.get("/")["Location"].startswith("/login/")


def test_production_settings_enforce_the_second_factor_and_lockout(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIUZHU_", "DJANGO_"))}
    env["JIUZHU_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", "import json; from jiuzhu import settings as s; print(json.dumps("
         "[s.JIUZHU_2FA_REQUIRED, s.JIUZHU_2FA_ROLES, s.AXES_FAILURE_LIMIT, s.SESSION_COOKIE_AGE,"
         " s.AUTHENTICATION_BACKENDS[0]]))"],
        env=env, capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    required, roles, limit, age, first = json.loads(out.strip().splitlines()[-1])
    assert required is True
    assert set(roles) == {"dept_head", "deputy_chief", "chief", "finance", "admin"}
    assert (limit, age, first) == (5, 1800, "axes.backends.AxesStandaloneBackend")


# --- the demo with --with-2fa ----------------------------------------------------------------------

def test_the_demo_with_2fa_logs_in_with_the_printed_secret(db, enforced, capsys) -> None:
    call_command("load-demo", "--orgs-only", "--with-2fa", verbosity=0)
    capsys.readouterr()
    call_command("demo-accounts", "--json")
    rows = {r["username"]: r for r in json.loads(capsys.readouterr().out)}
    secret = rows["jiacha_deputy_chief"]["totp_secret"]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    client = Client()
    assert _post_login(client, "jiacha_deputy_chief", DEMO_PASSWORD)["Location"].startswith("/login/verify/")
    assert client.post("/login/verify/", {"token": f"{totp(key):06d}", "next": "/"}).status_code == 302
    assert "加查县" in client.get("/").content.decode()
    call_command("demo-accounts")
    assert secret in capsys.readouterr().out
