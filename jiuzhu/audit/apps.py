from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiuzhu.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from jiuzhu.audit import checks  # noqa: F401 - registers the deployment checks
