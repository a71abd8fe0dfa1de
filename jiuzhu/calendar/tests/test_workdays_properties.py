"""Properties of the working-day arithmetic, checked by hypothesis on random dates and counts."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.calendar.workdays import add_working_days, is_working_day, working_days_between

D = dt.date
# The examples of one test share its database transaction, which is fine: these tests only read.
# The django_db fixture is function-scoped, hence the suppressed health check.
db_settings = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
pytestmark = pytest.mark.django_db

# Known years and, past 2026-12-31, the unknown 2027 (counted by weekends only).
dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2027, 6, 30))
known_dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2026, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@db_settings
@given(start=dates, n=st.integers(min_value=1, max_value=60))
def test_it_ends_on_a_working_day_after_start(start: dt.date, n: int) -> None:
    due = add_working_days(start, n)
    assert due > start
    assert is_working_day(due)


@db_settings
@given(start=dates, a=counts, b=counts)
def test_it_is_monotone_in_n(start: dt.date, a: int, b: int) -> None:
    a, b = sorted((a, b))
    assert add_working_days(start, a) <= add_working_days(start, b)
    if a < b:
        assert add_working_days(start, a) < add_working_days(start, b)


@db_settings
@given(start=dates, a=counts, b=counts)
def test_it_composes(start: dt.date, a: int, b: int) -> None:
    assert add_working_days(start, a + b) == add_working_days(add_working_days(start, a), b)


@db_settings
@given(start=dates, n=counts)
def test_it_counts_back_what_it_added(start: dt.date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@db_settings
@given(start=dates, days=st.integers(min_value=0, max_value=120))
def test_it_brackets_any_end_between_two_deadlines(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    k = working_days_between(start, end)
    assert add_working_days(start, k) <= end < add_working_days(start, k + 1)
    assert (add_working_days(start, k) == end) == (end == start or is_working_day(end))


@db_settings
@given(start=dates, days=st.integers(min_value=0, max_value=60))
def test_it_counts_the_working_days_of_the_interval(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    expected = sum(is_working_day(start + dt.timedelta(days=i)) for i in range(1, days + 1))
    assert working_days_between(start, end) == expected


@db_settings
@given(day=known_dates)
def test_it_agrees_with_chinese_calendar(day: dt.date) -> None:
    assert is_working_day(day) == chinese_calendar.is_workday(day)


@db_settings
@given(start=st.dates(min_value=D(2015, 1, 1), max_value=D(2026, 9, 1)), n=counts)
def test_it_agrees_with_chinese_calendar_on_deadlines(start: dt.date, n: int) -> None:
    # chinese_calendar.find_workday(n, start) also counts start itself when it is a working day.
    expected = start
    for _ in range(n):
        expected += dt.timedelta(days=1)
        while not chinese_calendar.is_workday(expected):
            expected += dt.timedelta(days=1)
    assert add_working_days(start, n) == expected
