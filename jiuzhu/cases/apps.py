from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiuzhu.cases"
    label = "cases"
    verbose_name = "救助案件"

    def ready(self) -> None:
        from jiuzhu.cases import applicant_sms  # noqa: F401  (SMS to applicants who did not apply online)
