"""Resident identity numbers (GB 11643-1999): validation, derived facts and masking."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# The first two digits: the province-level divisions of GB/T 2260, plus 71/81/82/83 (Taiwan, Hong
# Kong, Macao residence permits) and 91 (historic overseas Chinese).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    "83", "91",
}


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character resident ID number and what it says."""

    value: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    @property
    def area_code(self) -> str:
        return self.value[:6]


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise(raw: str) -> str:
    """Return RAW without spaces, with a final lower-case x made upper-case."""
    return re.sub(r"\s+", "", raw or "").upper()


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Return the parsed ID number, or raise ValidationError with a message saying what is wrong."""
    value = normalise(raw)
    if not value:
        raise ValidationError("请填写身份证号码。", code="required")
    if len(value) != 18:
        raise ValidationError(f"身份证号码应为18位，您填写了{len(value)}位。", code="length")
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError("身份证号码前17位只能是数字，最后一位是数字或X。", code="characters")
    if value[:2] not in _PROVINCES:
        raise ValidationError(f"身份证号码前两位“{value[:2]}”不是有效的省级行政区划代码。", code="area")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号码中的出生日期“{value[6:14]}”不是有效日期。", code="birth_date") from None
    if today is None:
        from jiuzhu.lib.clock import today as clock_today

        today = clock_today()
    if birth > today or birth.year < 1880:
        raise ValidationError(f"身份证号码中的出生日期“{value[6:14]}”不合理。", code="birth_date")
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError("身份证号码校验位不正确，请核对是否抄错。", code="check_digit")
    return IdNumber(value=value, birth_date=birth, sex="M" if int(value[16]) % 2 else "F")


def mask_id_number(value: str) -> str:
    """Return the ID number with only the area code and the last four characters visible."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Return a phone number with its middle digits hidden: 138****5678, a landline as ***1234."""
    if len(value) < 7:
        return "*" * len(value)
    if len(value) < 11:
        return "*" * (len(value) - 4) + value[-4:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Return a name with only its first character visible (卓**), for minors outside the case file."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)


def mask_tail(value: str, keep: int = 4) -> str:
    """Return VALUE with all but its last KEEP characters hidden (bank accounts)."""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def mask_address(value: str) -> str:
    """Return only the first six characters of an address (roughly the county)."""
    return value[:6] + "****" if len(value) > 6 else "****"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the age in whole years on DAY."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
