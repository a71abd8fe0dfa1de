"""Languages: Standard Tibetan ('bo') for the applicant's side, Chinese everywhere else.

Django knows no 'bo' locale, so it is added to LANG_INFO here (this module is imported at start-up as
the middleware below, and by the portal's template tags). Staff screens
stay Chinese whatever the language cookie says: only /apply/ follows the applicant's choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANG_INFO.setdefault("bo", {"bidi": False, "code": "bo", "name": "Tibetan", "name_local": "བོད་ཡིག"})

TIBETAN = "bo"
CHINESE = "zh-hans"
# The languages an applicant may choose (the stored value on applications, cases and messages).
APPLICANT_LANGUAGES = [(CHINESE, "简体中文"), (TIBETAN, "藏文（བོད་ཡིག）")]
PORTAL_PREFIX = "/apply/"


def applicant_language(code: str | None) -> str:
    """Return CODE if it is a language an applicant may choose, else Chinese."""
    return code if code in dict(APPLICANT_LANGUAGES) else CHINESE


class StaffChineseMiddleware:
    """After LocaleMiddleware: everything outside the applicant portal is Chinese."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PORTAL_PREFIX):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE  # type: ignore[attr-defined]
        elif applicant_language(translation.get_language()) != translation.get_language():
            translation.activate(CHINESE)
            request.LANGUAGE_CODE = CHINESE  # type: ignore[attr-defined]
        return self.get_response(request)


def format_date(day: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """A date as an applicant reads it: 2026年12月4日 / སྤྱི་ལོ་2026 ཟླ་12 ཚེས་4."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        from django.utils import timezone

        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    with translation.override(language or translation.get_language()):
        return translation.gettext("{y}年{m}月{d}日").format(y=day.year, m=day.month, d=day.day)


def format_amount(amount: Decimal | int | str | None, language: str | None = None) -> str:
    """An amount in yuan, two decimals: 20000.00 元 / སྒོར་ 20000.00."""
    if amount in (None, ""):
        return ""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    with translation.override(language or translation.get_language()):
        return translation.gettext("{amount} 元").format(amount=value)


def compile_catalogues() -> list[str]:
    """Compile each jiuzhu/locale/*/LC_MESSAGES/*.po whose .mo is missing or older (msgfmt --check).

    The .mo files are build products (not committed): scripts/run, scripts/test and scripts/serve run
    `jiuzhu compilemessages`; this is the same for a bare `pytest`. Returns the catalogues compiled."""
    import subprocess
    from pathlib import Path

    done = []
    for po in sorted((Path(__file__).resolve().parent.parent / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
            done.append(str(po))
    return done
