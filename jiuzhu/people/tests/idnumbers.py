"""Valid resident ID numbers for tests, built independently of the code under test."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

# GB/T 2260 province-level codes plus 71/81/82/83/91, written out here rather than read from the module.
PROVINCES = sorted({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    "83", "91",
})


def gb_check(first17: str) -> str:
    """Return the GB 11643 check character, computed independently: weights are 2^(17-i) mod 11."""
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)


def build(area: str, birth: dt.date, seq: str) -> str:
    """Return the valid number of AREA (6 digits), BIRTH and SEQ (3 digits)."""
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    return first17 + gb_check(first17)


def build_with_x(area: str, birth: dt.date, seq_from: int = 0) -> str:
    """Return a valid number of AREA and BIRTH whose check character is X."""
    for n in range(seq_from, seq_from + 1000):
        number = build(area, birth, f"{n % 1000:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")  # pragma: no cover


digits = "0123456789"
areas = st.builds(lambda p, rest: p + rest, st.sampled_from(PROVINCES), st.text(alphabet=digits, min_size=4, max_size=4))
seqs = st.text(alphabet=digits, min_size=3, max_size=3)


def valid_ids(last_birth: dt.date) -> st.SearchStrategy[str]:
    """Return a strategy of valid numbers born from 1880 to LAST_BIRTH."""
    return st.builds(build, areas, st.dates(min_value=dt.date(1880, 1, 1), max_value=last_birth), seqs)
