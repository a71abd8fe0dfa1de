from __future__ import annotations

from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "jiuzhu.calendar"
    label = "calendar"
    verbose_name = "工作日历"
