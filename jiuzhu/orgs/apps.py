from __future__ import annotations

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiuzhu.orgs"
    verbose_name = "机构"
