"""One phone validator: the portal's (an 11-digit mainland mobile), plus landlines on staff forms.

Staff record a contact phone that may be a landline (0893-7821234); the portal logs in by SMS and so
takes a mobile only. Both go through `normalise_phone`, which strips spaces, dashes and +86 and
refuses anything else ("NaN", "1e309", a date) with a Chinese message.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3–4 digits from 0) and a 7–8 digit number, an optional extension after it.
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(raw: str, *, landline: bool = False) -> str:
    """Return the number without separators, or raise a ValidationError in Chinese.

    LANDLINE: also accept a fixed-line number (staff forms); the portal needs a mobile for its codes.
    """
    phone = re.sub(r"[\s\-()（）]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if MOBILE.match(phone):
        return phone
    if landline and LANDLINE.match(phone):
        return phone
    raise ValidationError("请输入11位手机号码或带区号的固定电话。" if landline else "请输入11位手机号码。")


def clean_phone(raw: str) -> str:
    """A staff-entered contact phone: blank stays blank, anything else must be a phone number."""
    if not (raw or "").strip():
        return ""
    return normalise_phone(raw, landline=True)


class PhoneField(forms.CharField):
    """The staff forms' phone field: a mobile or a landline, checked by `normalise_phone`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_phone(value) if value else ""


def phone_index(phone: str) -> str:
    """The blind index of a mobile number (the portal's login and its applications' search key)."""
    from jiuzhu.lib import crypto

    return crypto.blind_index(phone, context="portal.phone")
