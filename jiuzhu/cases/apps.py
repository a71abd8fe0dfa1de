from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.cases"
    label = "cases"
    verbose_name = "救助案件"
