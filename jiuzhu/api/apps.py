from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiuzhu.api"
    verbose_name = "系统接口"
