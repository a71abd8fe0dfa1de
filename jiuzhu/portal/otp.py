"""One-time SMS codes: how an applicant proves they hold a mobile number.

- A code is six random digits, valid for OTP_MINUTES, good for one login only.
- Only its HMAC (keyed, and bound to the number) is stored, so a code fits only the number it was
  sent to and a database reader learns nothing.
- Guessing is cut off: OTP_MAX_ATTEMPTS wrong tries kill a code, and a number with
  OTP_MAX_FAILURES_PER_HOUR wrong tries in an hour is locked for the rest of that hour.
- Sending is limited per number (one a minute, OTP_MAX_SENDS_PER_HOUR an hour) and per address
  (jiuzhu.lib.netaddr.client_ip). The address limit counts only codes nobody entered: many applicants
  share one address (a carrier's NAT, an office), and those who log in never use up their neighbours'
  allowance; an address sending codes to numbers that never confirm them (SMS bombing or pumping) stops
  after OTP_MAX_SENDS_PER_IP_HOUR. Every count is of rows in the database, so it holds across processes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from jiuzhu.lib import clock, crypto
from jiuzhu.people import phones
from jiuzhu.people.phones import phone_index  # noqa: F401 - the portal's phone key, kept under its name
from jiuzhu.portal.models import OneTimeCode

OTP_MINUTES = 10
OTP_MAX_ATTEMPTS = 5
OTP_MAX_FAILURES_PER_HOUR = 10
OTP_MAX_SENDS_PER_HOUR = 5
OTP_RESEND_SECONDS = 60
OTP_MAX_SENDS_PER_IP_HOUR = 30
MOBILE = phones.MOBILE


def normalise_phone(raw: str) -> str:
    """Return an 11-digit mainland mobile number, or raise a ValidationError in the applicant's language."""
    try:
        return phones.normalise_phone(raw)
    except ValidationError as e:
        raise ValidationError(_("请输入11位手机号码。")) from e


def _code_hash(phone: str, code: str) -> str:
    return crypto.blind_index(f"{phone}:{code}", context="portal.otp")


def issue(phone: str, *, ip: str = "") -> str:
    """Create a code for PHONE and return it (the caller sends it); refuses when rate-limited."""
    phone = normalise_phone(phone)
    bidx = phone_index(phone)
    now = clock.now()
    hour_ago = now - dt.timedelta(hours=1)
    recent = OneTimeCode.objects.filter(phone_bidx=bidx, created_at__gte=hour_ago)
    latest = recent.order_by("-created_at").first()
    if latest and (now - latest.created_at).total_seconds() < OTP_RESEND_SECONDS:
        raise ValidationError(_("验证码已发送，请稍候一分钟再重新获取。"))
    if recent.count() >= OTP_MAX_SENDS_PER_HOUR:
        raise ValidationError(_("获取验证码过于频繁，请一小时后再试。"))
    if ip and OneTimeCode.objects.filter(ip=ip, created_at__gte=hour_ago, used_at__isnull=True).count() \
            >= OTP_MAX_SENDS_PER_IP_HOUR:
        raise ValidationError(_("获取验证码过于频繁，请稍后再试。"))
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(phone_bidx=bidx, code_hash=_code_hash(phone, code), created_at=now,
                               expires_at=now + dt.timedelta(minutes=OTP_MINUTES), ip=ip[:45])
    return code


def verify(phone: str, code: str) -> str:
    """Check CODE for PHONE and consume it; return the number's blind index, or raise ValidationError.

    Every try is counted before the comparison, by a conditional update, so parallel guesses cannot
    get more than OTP_MAX_ATTEMPTS tries out of one code. No transaction: a refused try stays counted.
    """
    phone = normalise_phone(phone)
    code = (code or "").strip()
    bidx = phone_index(phone)
    now = clock.now()
    recent = OneTimeCode.objects.filter(phone_bidx=bidx, created_at__gte=now - dt.timedelta(hours=1))
    tries = recent.aggregate(n=Sum("attempts"))["n"] or 0
    if tries - recent.filter(used_at__isnull=False).count() >= OTP_MAX_FAILURES_PER_HOUR:
        raise ValidationError(_("验证码错误次数过多，该号码已暂停登录一小时。"))
    row = (OneTimeCode.objects.filter(phone_bidx=bidx, used_at__isnull=True, expires_at__gt=now)
           .order_by("-created_at").first())
    if row is None:
        raise ValidationError(_("验证码已失效，请重新获取。"))
    if OneTimeCode.objects.filter(pk=row.pk, attempts__lt=OTP_MAX_ATTEMPTS).update(attempts=F("attempts") + 1) != 1:
        raise ValidationError(_("验证码错误次数过多，请重新获取。"))
    if not re.fullmatch(r"\d{6}", code) or not hmac.compare_digest(row.code_hash, _code_hash(phone, code)):
        left = OTP_MAX_ATTEMPTS - row.attempts - 1
        raise ValidationError(_("验证码不正确，还可尝试%(left)s次。") % {"left": left} if left > 0
                              else _("验证码不正确，请重新获取。"))
    # Single use: only the first of two simultaneous logins with the same code gets through.
    if OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise ValidationError(_("验证码已使用，请重新获取。"))
    return bidx


def record_message(phone: str) -> None:
    """One outbound-message record for the code too (the SMS log), with the code itself masked."""
    from jiuzhu.notifications import outbound
    from jiuzhu.notifications.models import OutboundMessage
    from jiuzhu.people.idcard import mask_phone

    OutboundMessage.objects.create(
        key="otp", to=crypto.encrypt(phone, context=outbound.TO_CONTEXT), to_masked=mask_phone(phone),
        text=outbound.render("otp", code="******", minutes=OTP_MINUTES), state=OutboundMessage.State.SENT,
        attempts=1, dedupe_key=f"otp:{phone_index(phone)[:40]}:{clock.now().timestamp()}",
        created_at=clock.now(), sent_at=clock.now())
