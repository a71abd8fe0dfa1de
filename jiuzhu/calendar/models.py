"""The working-day calendar of China: statutory holidays and 调休 make-up workdays, year by year.

Only the dates that depart from the weekend rule are stored (``SpecialDay``). Which years are fully
known is recorded separately (``CalendarYear``), because "no rows" cannot tell "an ordinary year"
from "a year whose schedule nobody has entered yet". The arithmetic lives in ``workdays.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

#: Saturday and Sunday, as returned by ``date.weekday()``.
WEEKEND = (5, 6)


class SpecialDay(models.Model):
    """A date whose status differs from "Monday–Friday work, Saturday–Sunday rest".

    ``is_workday=False``: a statutory holiday (放假). Holidays on Saturdays or Sundays are kept too,
    so the administrator sees the whole block of the published schedule, although they change no
    computation. ``is_workday=True``: a Saturday or Sunday worked in exchange (调休上班).
    """

    date = models.DateField("日期")
    is_workday = models.BooleanField(
        "是否上班", default=False,
        help_text="勾选表示该日为调休上班日（只能是周六或周日）；不勾选表示该日放假。")
    name = models.CharField("名称", max_length=40, help_text="节日名称，如“春节”；调休上班日填“调休上班”。")
    source = models.CharField("来源", max_length=100, blank=True,
                              help_text="如“国办发明电〔2025〕7号”或“chinese-calendar 1.11”。")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]
        constraints = [
            # Its index also serves workdays._load(): the special days of a date range.
            models.UniqueConstraint(fields=["date"], name="calendar_specialday_unique_date",
                                    violation_error_message="该日期已有节假日调整。"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{'上班' if self.is_workday else '放假'}）"

    def clean(self) -> None:
        # A weekday is a working day already; only a weekend day can be "worked in exchange".
        # (Not a CheckConstraint: on SQLite the weekday lookup compiles to a function that
        # only Django's own connections define, so dbshell and restores would fail.)
        if self.is_workday and self.date and self.date.weekday() not in WEEKEND:
            raise ValidationError({"is_workday": "调休上班日只能是周六或周日；周一至周五本来就是工作日。"})


class CalendarYear(models.Model):
    """A year whose holiday schedule is complete in ``SpecialDay``.

    A year without a row is "unknown": its dates that have no ``SpecialDay`` row count by the weekend
    rule alone, and every computation that touches it logs a warning. The State Council usually
    publishes the next year's schedule in October–December; add the special days, then this row.
    """

    year = models.PositiveSmallIntegerField(
        "年份", help_text="先录入该年全部放假日和调休上班日，再添加本行，表示该年安排已完整。")
    source = models.CharField("来源", max_length=100, help_text="如“国办发明电〔2025〕7号”。")
    note = models.TextField("备注", blank=True)
    loaded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "已录入年度"
        verbose_name_plural = "已录入年度"
        ordering = ["-year"]
        constraints = [
            # Its index also serves workdays._load() and unknown_years(): the known years of a range.
            models.UniqueConstraint(fields=["year"], name="calendar_calendaryear_unique_year",
                                    violation_error_message="该年度已录入。"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100),
                                   name="calendar_calendaryear_year_range",
                                   violation_error_message="年份须在2000年至2100年之间。"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年"
