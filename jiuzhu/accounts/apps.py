from __future__ import annotations

from django.apps import AppConfig

BLANK_CHOICE_LABEL = "请选择"


class AccountsConfig(AppConfig):
    name = "jiuzhu.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.db.models import fields

        from jiuzhu.accounts import signals  # noqa: F401  (login bookkeeping receivers)

        # Django 6.1's empty choice of every select ("- Select an option -") has no zh_Hans translation; the
        # documented way to change it is to set it in an app's ready() (issue 13: it showed in the partner
        # dropdowns and every admin select).
        fields.BLANK_CHOICE_LABEL = BLANK_CHOICE_LABEL
