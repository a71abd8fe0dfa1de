from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jiuzhu.portal"
    verbose_name = "网上申请"

    def ready(self) -> None:
        from jiuzhu.lib import i18n  # noqa: F401 - adds 'bo' to Django's LANG_INFO at start-up
        from jiuzhu.portal import signals  # noqa: F401
