from __future__ import annotations

from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "jiuzhu.rules"
    label = "rules"
    verbose_name = "救助规则"
