from __future__ import annotations

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "jiuzhu.support"
    label = "support"
    verbose_name = "综合帮扶"
