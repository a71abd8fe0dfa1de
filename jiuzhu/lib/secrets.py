"""Random local secrets for a development machine that has none configured."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

# Each secret and how to make a fresh one.
_MAKERS: dict[str, Callable[[], str]] = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "JIUZHU_FIELD_KEYS": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "JIUZHU_BLIND_INDEX_KEY": lambda: secrets.token_urlsafe(32),
    "JIUZHU_AUDIT_KEY": lambda: secrets.token_urlsafe(32),
}


def _write(path: Path, values: dict[str, str], *, create: bool) -> None:
    if create:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    else:
        # Rewrite in place of a temporary file (mode 0600), never leaving a half-written file.
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(values, f)
    if not create:
        os.replace(tmp, path)


def load_or_create_local_secrets(path: Path) -> dict[str, str]:
    """Return the secrets kept at PATH, creating the file (mode 0600) on first use.

    A file written before a secret existed gets that secret added; the others are kept as they are
    (changing them would make stored data unreadable).
    """
    if path.exists():
        values = json.loads(path.read_text())
        missing = [name for name in _MAKERS if name not in values]
        if missing:
            values.update({name: _MAKERS[name]() for name in missing})
            _write(path, values, create=False)
        return values
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {name: make() for name, make in _MAKERS.items()}
    _write(path, values, create=True)
    return values
