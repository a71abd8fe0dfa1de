from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jiuzhu.people"
    label = "people"
    verbose_name = "当事人"
