"""Reads of the working-day calendar for screens (the arithmetic itself is in ``workdays.py``)."""

from __future__ import annotations

import datetime as dt

from jiuzhu.calendar.workdays import unknown_years


def missing_years_warning(today: dt.date) -> str | None:
    """Return a message for administrators if this year's or next year's schedule is missing, else None.

    Deadlines reach into next year from the autumn on, and the State Council publishes the next
    year's schedule late in the year, so next year is checked all year round. One query.
    """
    missing = unknown_years(today, today.replace(year=today.year + 1, month=1, day=1))
    if not missing:
        return None
    years = "、".join(f"{year}年" for year in missing)
    return f"工作日历缺少{years}的节假日安排，期限按周末推算，请系统管理员及时录入。"
