"""The checks every app applies to money it is given: an amount in yuan and a bank account number.

A personal bank card number (UnionPay debit cards: 16 to 19 digits) carries a Luhn check digit; one that fails it
is most likely mistyped. It is accepted with a warning (`account_warning`), never refused: a passbook (存折) or an
old account may not follow the scheme, and corporate accounts (对公账户: custodians) never do.

Shared by `funds` and `custody` (and anything that takes a payee), so neither imports the other's
private helpers. Each check raises the caller's own domain error class with a Chinese message.
Also how amounts are printed: figures (12,000.00元) and Chinese capitals (壹万贰仟元整), for the documents
and the bank's payment list alike.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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


CARD_LENGTHS = range(16, 20)  # UnionPay personal debit card numbers


def luhn_valid(digits: str) -> bool:
    """True when DIGITS (ASCII digits only, at least two) pass the Luhn (mod 10) check."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The digit that makes BODY + digit pass the Luhn check."""
    return next(d for d in "0123456789" if luhn_valid(body + d))


def account_warning(account: str, *, personal: bool = True) -> str | None:
    """The Chinese warning for a personal card number that fails the Luhn check, or None.

    PERSONAL=False for a corporate account (对公账户), which has no check digit. Only 16–19 digit numbers are
    checked (the length of a bank card); spaces and dashes are ignored.
    """
    digits = re.sub(r"[\s-]", "", account or "")
    if not personal or len(digits) not in CARD_LENGTHS or not digits.isdigit() or luhn_valid(digits):
        return None
    return (f"银行账号（尾号{digits[-4:]}）未通过银行卡号校验位检查，可能填写有误：请与收款人核对卡号；"
            f"如确为存折或其他账户，可不予理会。")


DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def yuan(amount: Decimal) -> str:
    """Return AMOUNT as "12,000.00元"."""
    return f"{amount:,.2f}元"


def _group(n: int) -> str:
    """Write 0 < N < 10000 in capitals, zeros between digits collapsed to one 零."""
    out: list[str] = []
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + SMALL_UNITS[pos])
    return "".join(out)


def rmb_upper(amount: Decimal) -> str:
    """Return AMOUNT in the capitals of 《会计基础工作规范》 第五十二条, e.g. 壹万零伍佰元伍角整."""
    if amount < 0:
        raise ValueError("negative amount")
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    whole, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = ""
    if whole:
        groups = []
        n = whole
        while n:
            groups.append(n % 10000)
            n //= 10000
        parts: list[str] = []
        need_zero = False
        for i in range(len(groups) - 1, -1, -1):
            g = groups[i]
            if g == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or g < 1000):
                parts.append("零")
            parts.append(_group(g) + BIG_UNITS[i])
            need_zero = False
        text = "".join(parts) + "元"
    if jiao == 0 and fen == 0:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif whole:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return text
