"""Random local secrets for a development machine that has none configured."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def load_or_create_local_secrets(path: Path) -> dict[str, str]:
    """Return the secrets kept at PATH, creating the file (mode 0600) on first use."""
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "JIUZHU_FIELD_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
        "JIUZHU_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(values, f)
    return values
