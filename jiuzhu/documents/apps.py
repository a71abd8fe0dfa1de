from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jiuzhu.documents"
    label = "documents"
    verbose_name = "法律文书"
