"""The second factor of staff login: TOTP (an authenticator app) with one-time backup codes.

Who must use it is a setting (`JIUZHU_2FA_REQUIRED`, `JIUZHU_2FA_ROLES`); a user who enrolled always
verifies. The session remembers what is still owed after the password (`SESSION_KEY`):
"verify" (a device exists), "enrol" (required, no device yet) or "" (nothing).
"""

from __future__ import annotations

import base64
import time
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from jiuzhu.accounts.models import Membership, User
from jiuzhu.audit.actions import record
from jiuzhu.audit.models import AuditEntry
from jiuzhu.lib.netaddr import client_ip

SESSION_KEY = "jz_2fa"
VERIFY, ENROL = "verify", "enrol"
TOTP_NAME = "身份验证器"
BACKUP_NAME = "备用验证码"


def is_required(user: User) -> bool:
    """Return whether USER must have a second factor (enforcement on, and a listed role or superuser)."""
    if not settings.JIUZHU_2FA_REQUIRED:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, is_active=True, role__in=settings.JIUZHU_2FA_ROLES).exists()


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def owed(user: User) -> str:
    """Return what USER still owes after the password: VERIFY, ENROL or ""."""
    if has_device(user):
        return VERIFY
    return ENROL if is_required(user) else ""


def mark_login(request: HttpRequest, user: User) -> None:
    """At login: note the time (session lifetime) and what the second factor still needs."""
    now = time.time()
    request.session["jz_login_at"] = now
    request.session["jz_seen"] = now
    request.session[SESSION_KEY] = owed(user)


def _audit(kind: str, request: HttpRequest, user: User, **detail: Any) -> None:
    record(kind, acting_user=user, ip=client_ip(request), **detail)


# --- enrolment -------------------------------------------------------------------------------------

def start_enrolment(user: User) -> TOTPDevice:
    """Return USER's pending (unconfirmed) TOTP device, creating it with a fresh secret."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it by hand (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link of DEVICE as an inline SVG QR code (drawn here: no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, title="两步验证二维码")


@transaction.atomic
def new_backup_codes(user: User) -> list[str]:
    """Replace USER's backup codes with JIUZHU_BACKUP_CODES new ones and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.JIUZHU_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm DEVICE with a code from the app; return the new backup codes, or None if the code is wrong."""
    user: User = request.user  # type: ignore[assignment]
    if not device.verify_token(_digits(token)):
        _audit(AuditEntry.Kind.OTP_FAILED, request, user, stage="enrol")
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_backup_codes(user)
        _audit(AuditEntry.Kind.OTP_ENROL, request, user, device=device.name)
    _verified(request, device)
    return codes


def enrol_with_key(user: User, key_hex: str | None = None, name: str = TOTP_NAME) -> TOTPDevice:
    """Give USER a confirmed TOTP device with KEY_HEX (random when None): the demo's printed secrets."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=name, key=key_hex or default_key(), confirmed=True)


# --- verification ----------------------------------------------------------------------------------

def _digits(token: str) -> str:
    return "".join(token.split())


def verify(request: HttpRequest, token: str) -> tuple[bool, str]:
    """Check TOKEN (a TOTP code or a backup code) for the logged-in user; return (ok, message)."""
    user: User = request.user  # type: ignore[assignment]
    token = _digits(token)
    devices: list[Any] = [d for d in (totp_device(user),) if d is not None]
    devices += list(StaticDevice.objects.filter(user=user, confirmed=True))
    throttled = False
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if django_otp.verify_token(user, device.persistent_id, token) is not None:
            if isinstance(device, StaticDevice):
                _audit(AuditEntry.Kind.OTP_BACKUP, request, user, remaining=device.token_set.count())
            else:
                _audit(AuditEntry.Kind.OTP_VERIFY, request, user, device=device.name)
            _verified(request, device)
            return True, ""
    _audit(AuditEntry.Kind.OTP_FAILED, request, user, stage="verify", throttled=throttled)
    if throttled:
        return False, "验证失败次数过多，请稍等片刻再试。"
    return False, "验证码不正确或已经使用过，请重新输入。"


def _verified(request: HttpRequest, device: Any) -> None:
    request.session.cycle_key()  # a new session id once the second factor is proven
    django_otp.login(request, device)
    request.session[SESSION_KEY] = ""


def reset(user: User, *, acting_user: User, request: HttpRequest | None = None) -> int:
    """Remove USER's devices (a lost phone); they enrol again at their next login if required."""
    with transaction.atomic():
        n = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        record(AuditEntry.Kind.OTP_RESET, acting_user=acting_user, target=user.username,
               ip=client_ip(request) if request else "")
    return n


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for DEVICE (tests and the browser login helper).

    A code is accepted once only: when the current one was used already, give the next step's code,
    which the device's tolerance of one step accepts.
    """
    device.refresh_from_db()
    t = int((time.time() - device.t0) // device.step) + device.drift
    drift = device.drift + (1 if device.last_t >= t else 0)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):0{device.digits}d}"
