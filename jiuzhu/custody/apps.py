from __future__ import annotations

from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "jiuzhu.custody"
    label = "custody"
    verbose_name = "第三方代管"
