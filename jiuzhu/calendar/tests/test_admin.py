"""The calendar's admin pages, where the administrator enters each new year's schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jiuzhu.calendar.models import CalendarYear, SpecialDay
from jiuzhu.calendar.workdays import add_working_days, unknown_years
from jiuzhu.lib import clock

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["specialday", "calendaryear"])
def test_it_warns_on_the_change_list_that_next_year_is_missing(admin_client: Client, model: str) -> None:
    with clock.travel(dt.date(2026, 11, 29)):
        response = admin_client.get(reverse(f"admin:calendar_{model}_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "工作日历缺少2027年的节假日安排" in page
    assert "国务院办公厅公布下一年度部分节假日安排后" in page


def test_it_does_not_warn_when_the_years_are_known(admin_client: Client) -> None:
    with clock.travel(dt.date(2025, 11, 29)):
        response = admin_client.get(reverse("admin:calendar_specialday_changelist"), {"date__year": "2025"})
    assert response.status_code == 200
    assert "工作日历缺少" not in response.content.decode()
    assert "星期六" in response.content.decode()  # the weekday column (e.g. 2025-02-08)


def test_it_lets_the_administrator_add_the_2027_schedule(admin_client: Client) -> None:
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    response = admin_client.post(reverse("admin:calendar_specialday_add"), {
        "date": "2027-01-01", "name": "元旦", "source": "测试"})  # is_workday unticked: a holiday
    assert response.status_code == 302, response.content.decode()
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    response = admin_client.post(reverse("admin:calendar_calendaryear_add"), {
        "year": "2027", "source": "测试", "note": ""})
    assert response.status_code == 302, response.content.decode()
    assert unknown_years(D(2027, 1, 1), D(2027, 12, 31)) == []


def test_it_refuses_a_second_row_for_the_same_date(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:calendar_specialday_add"), {
        "date": "2025-10-01", "name": "国庆节", "source": "测试"})
    assert response.status_code == 200
    assert "该日期已有节假日调整。" in response.content.decode()


def test_it_refuses_a_make_up_workday_on_a_weekday() -> None:
    with pytest.raises(ValidationError, match="调休上班日只能是周六或周日"):
        SpecialDay(date=D(2027, 1, 5), is_workday=True, name="调休上班").full_clean()
    SpecialDay(date=D(2027, 1, 9), is_workday=True, name="调休上班").full_clean()  # a Saturday


def test_it_refuses_an_implausible_year() -> None:
    with pytest.raises(ValidationError, match="年份须在2000年至2100年之间"):
        CalendarYear(year=1999, source="测试").full_clean()
