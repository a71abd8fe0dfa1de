from __future__ import annotations

from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "jiuzhu.funds"
    label = "funds"
    verbose_name = "救助资金"
