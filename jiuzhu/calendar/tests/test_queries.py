"""missing_years_warning(): the notice shown to administrators when a schedule is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from jiuzhu.calendar.models import CalendarYear
from jiuzhu.calendar.queries import missing_years_warning

D = dt.date
pytestmark = pytest.mark.django_db


def test_it_asks_for_next_year_when_it_is_missing() -> None:
    assert missing_years_warning(D(2026, 11, 29)) == (
        "工作日历缺少2027年的节假日安排，期限按周末推算，请系统管理员及时录入。")


def test_it_names_both_years_when_both_are_missing() -> None:
    assert missing_years_warning(D(2027, 1, 4)) == (
        "工作日历缺少2027年、2028年的节假日安排，期限按周末推算，请系统管理员及时录入。")


def test_it_is_silent_when_both_years_are_known(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert missing_years_warning(D(2025, 12, 31)) is None
    CalendarYear.objects.create(year=2027, source="测试")
    assert missing_years_warning(D(2026, 2, 28)) is None
