from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "jiuzhu.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self) -> None:
        from jiuzhu.notifications.sms import check_backend

        check_backend()
