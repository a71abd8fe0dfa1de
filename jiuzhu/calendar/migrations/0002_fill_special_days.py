"""Seed the working-day calendar with the schedules of 2004–2026 known to chinese-calendar 1.11.

Later years are entered by an administrator when the State Council publishes them (or by a later
``fill_*`` migration). The years are pinned so that upgrading the package does not change what
this migration writes; the package is imported inside the function so that a project which no
longer depends on it can still build its schema.
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations
from django.utils import timezone

SOURCE = "chinese-calendar 1.11"
YEARS = range(2004, 2027)

# chinese_calendar's Holiday values -> the names used in the State Council's notices.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",  # 2015-09-03/04, one-off
}
MAKE_UP_WORKDAY = "调休上班"


def fill_special_days(apps, schema_editor):
    import chinese_calendar

    SpecialDay = apps.get_model("calendar", "SpecialDay")
    CalendarYear = apps.get_model("calendar", "CalendarYear")
    days = []
    for year in YEARS:
        day = dt.date(year, 1, 1)
        while day.year == year:
            is_rest, name = chinese_calendar.get_holiday_detail(day)
            weekend = day.weekday() >= 5
            if name is not None and is_rest:
                # A holiday, on a weekday (changes the count) or a weekend (kept for completeness).
                days.append(SpecialDay(date=day, is_workday=False, name=HOLIDAY_NAMES.get(name, name),
                                       source=SOURCE))
            elif name is not None and weekend:
                days.append(SpecialDay(date=day, is_workday=True, name=MAKE_UP_WORKDAY, source=SOURCE))
            day += dt.timedelta(days=1)
    # ignore_conflicts: re-applying after the no-op reverse must not fail on existing dates.
    SpecialDay.objects.bulk_create(days, batch_size=500, ignore_conflicts=True)
    now = timezone.now()
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source=SOURCE, note=f"由 {SOURCE} 导入（国务院办公厅节假日安排）。",
                      loaded_at=now) for year in YEARS],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("calendar", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(fill_special_days, migrations.RunPython.noop),
    ]
