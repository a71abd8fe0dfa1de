"""Working-day arithmetic over the calendar in the database (statutory holidays and 调休).

A day is a working day when it has a ``SpecialDay`` row with ``is_workday=True``, or when it has no
row and falls on Monday–Friday. ``SpecialDay`` rows are used whether or not their year has a
``CalendarYear`` row; a year without one is "unknown" and may lack some rows, so a computation that
touches it logs a warning on the ``jiuzhu.calendar`` logger (once per year per process) and carries
on by the weekend rule. Nothing here raises for an unknown year.

Every function does at most one database query per call (``add_working_days`` a second one only if
its first window runs out), and none of them writes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import BooleanField, DateField, IntegerField, Value

from jiuzhu.calendar.models import WEEKEND, CalendarYear, SpecialDay

logger = logging.getLogger("jiuzhu.calendar")

ONE_DAY = dt.timedelta(days=1)
# add_working_days() loads [start, start + 2n + _MARGIN days] first: n working days take at most
# about 7n/5 calendar days plus the holidays in between (the longest block so far is 9 days).
_MARGIN = 40

# Unknown years already reported by this process.
_warned_years: set[int] = set()


@dataclass(frozen=True)
class _Window:
    """The calendar of the dates first..last (inclusive), as loaded by one query."""

    first: dt.date
    last: dt.date
    special: dict[dt.date, bool]  # date -> is_workday, for the dates that have a SpecialDay row
    known_years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        assert self.first <= day <= self.last, (day, self.first, self.last)
        return self.special.get(day, day.weekday() not in WEEKEND)

    def extended(self, other: _Window) -> _Window:
        assert other.first == self.last + ONE_DAY
        return _Window(self.first, other.last, self.special | other.special,
                       self.known_years | other.known_years)


def _check_date(value: object) -> None:
    # A datetime is a date too, but would silently miss every dictionary lookup (and hides a
    # time-zone decision that belongs to the caller).
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(value).__name__}")


def _load(first: dt.date, last: dt.date) -> _Window:
    """Load the special days of first..last and which of its years are known, in ONE query.

    The two tables are read through a UNION ALL of (date, is_workday, year) rows: a SpecialDay row
    fills the first two columns, a CalendarYear row the third.
    """
    days = (SpecialDay.objects.filter(date__range=(first, last)).order_by()
            .values_list("date", "is_workday", Value(None, output_field=IntegerField())))
    years = (CalendarYear.objects.filter(year__range=(first.year, last.year)).order_by()
             .values_list(Value(None, output_field=DateField()), Value(None, output_field=BooleanField()),
                          "year"))
    special: dict[dt.date, bool] = {}
    known: set[int] = set()
    for day, is_workday, year in days.union(years, all=True):
        if year is None:
            special[day] = bool(is_workday)
        else:
            known.add(year)
    return _Window(first, last, special, frozenset(known))


def _warn_unknown(window: _Window, first: dt.date, last: dt.date) -> None:
    """Log once per process each year of first..last that has no CalendarYear row."""
    for year in range(first.year, last.year + 1):
        if year not in window.known_years and year not in _warned_years:
            _warned_years.add(year)
            logger.warning("工作日历缺少%d年的节假日安排，%d年的期限按周末推算（请在管理后台录入）。", year, year)


def is_working_day(day: dt.date) -> bool:
    """Return whether ``day`` is a working day (工作日) in China."""
    _check_date(day)
    window = _load(day, day)
    _warn_unknown(window, day, day)
    return window.is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """Return the day on which a period of ``n`` working days counted from ``start`` ends.

    ``start`` itself is not counted (the period starts the next day), so the result is the n-th
    working day after ``start``: always a working day and later than ``start`` for n >= 1, and
    ``start`` itself for n = 0, whatever kind of day ``start`` is. For example, a notice due within
    5 working days of an application received on day D is due on ``add_working_days(D, 5)``.
    Raises ``ValueError`` for a negative n.
    """
    _check_date(start)
    if n < 0:
        raise ValueError(f"n must be zero or positive, not {n}")
    if n == 0:
        return start
    first = start + ONE_DAY
    window = _load(first, start + dt.timedelta(days=2 * n + _MARGIN))
    day, remaining = start, n
    while remaining:
        day += ONE_DAY
        if day > window.last:  # only after an implausibly long run of holidays
            window = window.extended(_load(day, day + dt.timedelta(days=2 * remaining + _MARGIN)))
        if window.is_working_day(day):
            remaining -= 1
    _warn_unknown(window, first, day)
    return day


def add_days(start: dt.date, n: int) -> dt.date:
    """Return the day ``n`` calendar days (日) after ``start`` (before it for a negative n); no query."""
    _check_date(start)
    return start + dt.timedelta(days=n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Return the number of working days in the half-open interval (start, end]; 0 if end <= start.

    This is the inverse of ``add_working_days``. For every ``start`` and every n >= 0::

        working_days_between(start, add_working_days(start, n)) == n

    and for every ``end >= start``, with ``k = working_days_between(start, end)``::

        add_working_days(start, k) <= end < add_working_days(start, k + 1)

    where the first ``<=`` is ``==`` exactly when ``end`` is a working day or ``end == start``.
    In words, it counts the working days used up by ``end`` (start excluded, end included), and a
    deadline ``due = add_working_days(start, n)`` is met on ``end`` (``end <= due``) exactly when
    ``working_days_between(start, end) < n or end == due``.
    """
    _check_date(start)
    _check_date(end)
    if end <= start:
        return 0
    first = start + ONE_DAY
    window = _load(first, end)
    _warn_unknown(window, first, end)
    # Weekdays by arithmetic, then each special day corrects its own date.
    count = _weekdays_between(start, end)
    for day, is_workday in window.special.items():
        count += int(is_workday) - int(day.weekday() not in WEEKEND)
    return count


def _weekdays_between(start: dt.date, end: dt.date) -> int:
    """The number of Mondays–Fridays in (start, end], for start < end."""
    days = (end - start).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    weekday = start.weekday()
    for _ in range(rest):
        weekday = (weekday + 1) % 7
        if weekday not in WEEKEND:
            count += 1
    return count


def unknown_years(start: dt.date, end: dt.date) -> list[int]:
    """Return, in order, the years from ``start.year`` to ``end.year`` that have no CalendarYear row.

    The order of the two dates does not matter. Does not log.
    """
    _check_date(start)
    _check_date(end)
    first, last = sorted((start.year, end.year))
    known = set(CalendarYear.objects.filter(year__range=(first, last)).values_list("year", flat=True))
    return [year for year in range(first, last + 1) if year not in known]
