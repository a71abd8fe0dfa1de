"""SMS backends: the interface a real SMS gateway plugs into, with a file and a memory backend here.

`JIUZHU_SMS_BACKEND` names the class (default: the file backend, which appends each message to
var/sms-outbox.log so that a developer can read the one-time codes). A real gateway is a class with
the same `send(to, text)` method that raises SmsError on failure.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from jiuzhu.lib import clock


class SmsError(Exception):
    """The gateway refused or failed to take the message."""


class FileBackend:
    """Append each message to var/sms-outbox.log (development and the demo)."""

    def send(self, to: str, text: str) -> None:
        path = Path(settings.VAR_DIR) / "sms-outbox.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"{clock.now():%Y-%m-%d %H:%M:%S} {to} {text}\n")


class ConsoleBackend:
    """Print each message (running the server in a terminal)."""

    def send(self, to: str, text: str) -> None:
        print(f"[短信] {to} {text}")  # noqa: T201


class MemoryBackend:
    """Keep messages in `outbox` (tests)."""

    outbox: list[tuple[str, str]] = []
    _lock = threading.Lock()

    def send(self, to: str, text: str) -> None:
        with self._lock:
            MemoryBackend.outbox.append((to, text))


DEFAULT_BACKEND = "jiuzhu.notifications.sms.FileBackend"


def _backend_class() -> type:
    path = getattr(settings, "JIUZHU_SMS_BACKEND", "") or DEFAULT_BACKEND
    try:
        cls = import_string(path)
    except ImportError as e:
        raise ImproperlyConfigured(f"JIUZHU_SMS_BACKEND={path!r} cannot be imported: {e}") from None
    if not isinstance(cls, type) or not callable(getattr(cls, "send", None)):
        raise ImproperlyConfigured(f"JIUZHU_SMS_BACKEND={path!r} is not a class with a send(to, text) method")
    return cls


def check_backend() -> None:
    """Fail at start (the apps' ready()), not at the first message, when the configured gateway is wrong."""
    _backend_class()


def get_backend() -> FileBackend | ConsoleBackend | MemoryBackend:
    return _backend_class()()  # type: ignore[no-any-return]
