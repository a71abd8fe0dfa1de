"""The checks every app applies to money it is given: an amount in yuan and a bank account number.

Shared by `funds` and `custody` (and anything that takes a payee), so neither imports the other's
private helpers. Each check raises the caller's own domain error class with a Chinese message.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

ACCOUNT_RE = re.compile(r"^[0-9]{8,30}$")


def clean_amount(value: Any, what: str = "金额", *, error: type[ValidationError] = ValidationError) -> Decimal:
    """Return VALUE as a positive Decimal of at most 2 places below 10 billion yuan, or raise ERROR."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise error(f"{what}格式不正确。") from None
    if not amount.is_finite() or amount <= 0:
        raise error(f"{what}必须大于零。")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise error(f"{what}最多保留两位小数。")
    if amount >= Decimal("1e10"):
        raise error(f"{what}过大。")
    return amount


def clean_account(account: str, *, error: type[ValidationError] = ValidationError) -> str:
    """Return a bank account number without spaces and dashes: 8 to 30 digits, or raise ERROR."""
    account = re.sub(r"[\s-]", "", account or "")
    if not ACCOUNT_RE.match(account):
        raise error("银行账号应为8至30位数字。")
    return account
