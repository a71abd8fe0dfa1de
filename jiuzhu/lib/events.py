"""Domain events: one small, explicit, typed dispatcher (issue 12).

A lower app announces what happened (a case step: "grant decided", "refused", "advance approved"; a
payment to a custodian) and a higher app that must act in the same transaction subscribes. The
announcing app never imports the subscriber: the direction of every import stays one-way (money
hangs off a case: `funds` and `custody` import `cases`, never the reverse).

- Events are frozen dataclasses, defined by the app that publishes them (`cases/events.py`,
  `funds/events.py`).
- Subscribers are listed in ONE place, in the order they run: `jiuzhu/subscribers.py` (the setting
  `JIUZHU_SUBSCRIBERS` names it). No Django signals, no registration as a side effect of an import.
- `publish()` runs every subscriber synchronously, inside the caller's transaction (it refuses to run
  outside one), so a subscriber's error rolls the whole action back, and a subscriber may refuse the
  step by raising the domain error the user then sees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

Subscriber = Callable[[Any], object]


class Event:
    """Base class of every domain event (subclasses are frozen dataclasses)."""


class NotInTransaction(RuntimeError):
    pass


@cache
def subscribers() -> Mapping[type[Event], Sequence[Subscriber]]:
    """The subscriber table named by settings.JIUZHU_SUBSCRIBERS (loaded once, then checked)."""
    table: Mapping[type[Event], Sequence[Subscriber]] = import_string(settings.JIUZHU_SUBSCRIBERS)
    for kind, handlers in table.items():
        if not (isinstance(kind, type) and issubclass(kind, Event)):
            raise TypeError(f"{kind!r} in {settings.JIUZHU_SUBSCRIBERS} is not an Event class")
        for handler in handlers:
            if not callable(handler):
                raise TypeError(f"subscriber {handler!r} of {kind.__name__} is not callable")
    return table


def publish(event: Event) -> None:
    """Run the subscribers of EVENT's class, in their listed order, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(f"{type(event).__name__} must be published inside the action's transaction")
    for handler in subscribers().get(type(event), ()):
        handler(event)
