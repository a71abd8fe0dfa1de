"""Working-day arithmetic on concrete dates of the published schedules, and on the unknown 2027."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from jiuzhu.calendar import workdays
from jiuzhu.calendar.models import CalendarYear, SpecialDay
from jiuzhu.calendar.workdays import (
    add_days,
    add_working_days,
    is_working_day,
    unknown_years,
    working_days_between,
)

D = dt.date
pytestmark = pytest.mark.django_db


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# National Day 2025: 10-01..10-08 off (10-06 is Mid-autumn); Sun 09-28 and Sat 10-11 worked.

def test_it_knows_national_day_2025() -> None:
    assert not any(is_working_day(d) for d in _days(D(2025, 10, 1), D(2025, 10, 8)))
    assert is_working_day(D(2025, 9, 28))  # Sunday
    assert is_working_day(D(2025, 10, 11))  # Saturday
    assert is_working_day(D(2025, 10, 9))
    assert not is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_it_counts_deadlines_across_national_day_2025() -> None:
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    # From Friday 09-26: Sun 09-28, 09-29, 09-30, 10-09, 10-10, Sat 10-11, 10-13 .. 10-16.
    assert add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)
    assert add_working_days(D(2025, 9, 26), 10) == D(2025, 10, 16)
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 16)) == 10
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0


# Spring Festival 2025: 01-28..02-04 off; Sun 01-26 and Sat 02-08 worked.

def test_it_knows_spring_festival_2025() -> None:
    assert not any(is_working_day(d) for d in _days(D(2025, 1, 28), D(2025, 2, 4)))
    assert is_working_day(D(2025, 1, 26))  # Sunday
    assert is_working_day(D(2025, 2, 8))  # Saturday
    assert is_working_day(D(2025, 2, 5))


def test_it_counts_deadlines_across_spring_festival_2025() -> None:
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)  # the Sunday worked
    assert add_working_days(D(2025, 1, 24), 5) == D(2025, 2, 7)
    assert add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert add_working_days(D(2025, 1, 27), 5) == D(2025, 2, 10)


# 2026 as chinese-calendar 1.11 has it (国办发明电〔2025〕7号): Spring Festival 02-15..02-23 off
# (nine days), Sat 02-14 and Sat 02-28 worked; Mid-autumn 09-25..09-27 and National Day 10-01..10-07
# off, Sun 09-20 and Sat 10-10 worked.

def test_it_knows_spring_festival_2026() -> None:
    assert not any(is_working_day(d) for d in _days(D(2026, 2, 15), D(2026, 2, 23)))
    assert is_working_day(D(2026, 2, 14))
    assert is_working_day(D(2026, 2, 28))
    assert is_working_day(D(2026, 2, 24))


def test_it_counts_deadlines_across_spring_festival_2026() -> None:
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)
    assert add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)


def test_it_knows_mid_autumn_and_national_day_2026() -> None:
    assert not any(is_working_day(d) for d in _days(D(2026, 9, 25), D(2026, 9, 27)))
    assert not any(is_working_day(d) for d in _days(D(2026, 10, 1), D(2026, 10, 7)))
    assert is_working_day(D(2026, 9, 20))  # Sunday
    assert is_working_day(D(2026, 10, 10))  # Saturday
    assert not is_working_day(D(2026, 10, 11))


def test_it_counts_deadlines_across_national_day_2026() -> None:
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 24), 5) == D(2026, 10, 9)
    # Sun 09-20, 09-21..09-24, 09-28..09-30, 10-08, 10-09.
    assert add_working_days(D(2026, 9, 18), 10) == D(2026, 10, 9)
    assert working_days_between(D(2026, 9, 18), D(2026, 10, 9)) == 10


def test_it_returns_start_for_zero_working_days_without_a_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert add_working_days(D(2025, 10, 3), 0) == D(2025, 10, 3)


def test_it_counts_nothing_for_an_empty_interval() -> None:
    assert working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0
    assert working_days_between(D(2025, 10, 9), D(2025, 10, 1)) == 0


def test_it_adds_calendar_days() -> None:
    assert add_days(D(2026, 12, 20), 30) == D(2027, 1, 19)
    assert add_days(D(2025, 3, 1), -1) == D(2025, 2, 28)


def test_it_does_one_query_per_call(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        add_working_days(D(2025, 9, 26), 60)
    with django_assert_num_queries(1):
        working_days_between(D(2025, 1, 1), D(2026, 12, 31))
    with django_assert_num_queries(1):
        is_working_day(D(2025, 10, 1))
    with django_assert_num_queries(1):
        unknown_years(D(2025, 1, 1), D(2028, 1, 1))


def test_it_extends_its_window_after_a_very_long_holiday(django_assert_num_queries) -> None:
    # 60 days off in a row (July and August 2025 have no holiday of their own) is more than the
    # first window, 2n + 40 days for n = 1, covers.
    SpecialDay.objects.bulk_create(SpecialDay(date=d, name="测试", is_workday=False)
                                   for d in _days(D(2025, 7, 1), D(2025, 8, 29)))
    with django_assert_num_queries(2):
        assert add_working_days(D(2025, 6, 30), 1) == D(2025, 9, 1)
    assert working_days_between(D(2025, 6, 30), D(2025, 9, 1)) == 1


def test_it_rejects_a_negative_count_and_a_datetime() -> None:
    with pytest.raises(ValueError):
        add_working_days(D(2025, 1, 1), -1)
    with pytest.raises(TypeError):
        is_working_day(dt.datetime(2025, 1, 1, 12, 0))  # noqa: DTZ001


# 2027: no schedule yet (chinese-calendar 1.11 raises NotImplementedError for it).

def test_it_reports_2027_as_unknown() -> None:
    assert unknown_years(D(2026, 12, 1), D(2027, 1, 31)) == [2027]
    assert unknown_years(D(2027, 1, 31), D(2026, 12, 1)) == [2027]
    assert unknown_years(D(2025, 1, 1), D(2026, 12, 31)) == []
    assert unknown_years(D(2003, 6, 1), D(2004, 6, 1)) == [2003]


def test_it_counts_into_2027_by_weekends_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="jiuzhu.calendar"):
        assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)  # a Friday
        assert add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 4)
        assert add_working_days(D(2026, 12, 31), 10) == D(2027, 1, 14)
        assert working_days_between(D(2026, 12, 31), D(2027, 1, 31)) == 21
        assert is_working_day(D(2027, 2, 8))
    warnings = [r for r in caplog.records if r.name == "jiuzhu.calendar"]
    assert len(warnings) == 1  # once per year per process
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()


def test_it_does_not_warn_when_the_result_stays_in_a_known_year(caplog: pytest.LogCaptureFixture) -> None:
    # The window loaded reaches into 2027, but the deadline (2026-12-18) does not.
    with caplog.at_level(logging.WARNING, logger="jiuzhu.calendar"):
        assert add_working_days(D(2026, 12, 11), 5) == D(2026, 12, 18)
        assert working_days_between(D(2026, 12, 1), D(2026, 12, 31)) == 22
    assert not [r for r in caplog.records if r.name == "jiuzhu.calendar"]


def test_it_uses_2027_special_days_and_year_once_an_administrator_adds_them(
        caplog: pytest.LogCaptureFixture) -> None:
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    # Hypothetical schedule, for the test only: New Year's Day off, Saturday 01-09 worked.
    SpecialDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦", source="测试")
    SpecialDay.objects.create(date=D(2027, 1, 9), is_workday=True, name="调休上班", source="测试")
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2027, 1, 9))
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert add_working_days(D(2026, 12, 31), 5) == D(2027, 1, 8)
    assert add_working_days(D(2026, 12, 31), 6) == D(2027, 1, 9)
    assert working_days_between(D(2026, 12, 31), D(2027, 1, 9)) == 6

    CalendarYear.objects.create(year=2027, source="测试")
    assert unknown_years(D(2026, 1, 1), D(2027, 12, 31)) == []
    workdays._warned_years.clear()  # 2027 was reported by the first call above
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="jiuzhu.calendar"):
        add_working_days(D(2026, 12, 31), 10)
    assert not [r for r in caplog.records if r.name == "jiuzhu.calendar"]
