from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jiuzhu.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from jiuzhu.accounts import signals  # noqa: F401  (login bookkeeping receivers)
