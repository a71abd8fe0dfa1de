"""One clock for the whole project, so that tests and the demo can move time (architecture.md)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_offset: contextvars.ContextVar[dt.timedelta] = contextvars.ContextVar("jiuzhu_clock_offset",
                                                                       default=dt.timedelta(0))


def now() -> dt.datetime:
    """Return the current aware datetime (moved by `travel`, if inside one)."""
    return timezone.now() + _offset.get()


def today() -> dt.date:
    """Return today's date in the project's time zone (Asia/Shanghai)."""
    return timezone.localdate(now())


@contextlib.contextmanager
def travel(to: dt.date | dt.datetime) -> Iterator[None]:
    """Make `now()` return TO (09:30 local time for a date) while the block runs."""
    if not isinstance(to, dt.datetime):
        to = timezone.make_aware(dt.datetime.combine(to, dt.time(9, 30)))
    token = _offset.set(to - timezone.now())
    try:
        yield
    finally:
        _offset.reset(token)
