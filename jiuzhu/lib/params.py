"""Numbers from query strings and form posts: an id or a year is ASCII digits, anything else is none.

`int()` of a parameter was a 500 three ways: a 20-digit number overflowed the database or a date,
"²" passed `str.isdigit()` and failed `int()`, and "b" reached a primary-key filter.
"""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,18}")  # fits a 64-bit primary key


def int_id(value: object) -> int | None:
    """Return VALUE as a row id (1 to 18 ASCII digits), else None."""
    if not isinstance(value, str) or not _ID.fullmatch(value.strip()):
        return None
    return int(value)
