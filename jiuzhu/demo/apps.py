from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jiuzhu.demo"
    label = "demo"
    verbose_name = "山南演示数据"
