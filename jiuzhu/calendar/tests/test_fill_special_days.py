"""The data migration 0002_fill_special_days: what the test database was seeded with."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from jiuzhu.calendar.models import CalendarYear, SpecialDay
from jiuzhu.calendar.workdays import working_days_between

D = dt.date
pytestmark = pytest.mark.django_db


def test_it_marks_2004_to_2026_as_known() -> None:
    years = list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    assert years == list(range(2004, 2027))
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {"chinese-calendar 1.11"}


def test_it_stores_holidays_and_make_up_workdays_with_chinese_names() -> None:
    rows = {d.date: (d.is_workday, d.name) for d in SpecialDay.objects.filter(date__year=2025)}
    assert rows[D(2025, 1, 1)] == (False, "元旦")
    assert rows[D(2025, 1, 28)] == (False, "春节")
    assert rows[D(2025, 2, 1)] == (False, "春节")  # a Saturday inside the holiday block
    assert rows[D(2025, 1, 26)] == (True, "调休上班")
    assert rows[D(2025, 4, 4)] == (False, "清明节")
    assert rows[D(2025, 5, 1)] == (False, "劳动节")
    assert rows[D(2025, 5, 31)] == (False, "端午节")
    assert rows[D(2025, 10, 6)] == (False, "中秋节")  # chinese_calendar names it inside National Day
    assert rows[D(2025, 10, 8)] == (False, "国庆节")
    assert rows[D(2025, 10, 11)] == (True, "调休上班")
    assert D(2025, 10, 9) not in rows  # an ordinary Thursday
    assert SpecialDay.objects.get(date=D(2015, 9, 3)).name == "抗战胜利70周年纪念日"
    assert not SpecialDay.objects.exclude(source="chinese-calendar 1.11").exists()


def test_it_stores_make_up_workdays_only_on_weekends() -> None:
    workdays = SpecialDay.objects.filter(is_workday=True)
    assert workdays.count() == 150
    assert all(d.date.weekday() >= 5 for d in workdays)


def test_it_agrees_with_chinese_calendar_month_by_month() -> None:
    for year in range(2004, 2027):
        for month in range(1, 13):
            first = D(year, month, 1)
            last = D(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            expected = len(chinese_calendar.get_workdays(first, last))
            assert working_days_between(first - dt.timedelta(days=1), last) == expected, (year, month)
