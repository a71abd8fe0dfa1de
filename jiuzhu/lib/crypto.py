"""Personal data at rest: AES-256-GCM encryption and HMAC-SHA256 blind indexes.

A ciphertext is `version byte | key id byte | 12-byte nonce | ciphertext+tag`. The key id is the
position of the key in settings.FIELD_ENCRYPTION_KEYS, so keys can be rotated: new values use the
first key, old values still decrypt with theirs.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = 1


@functools.cache
def _keys(raw: tuple[str, ...]) -> list[AESGCM]:
    keys = []
    for item in raw:
        key = base64.b64decode(item)
        if len(key) != 32:
            raise ValueError("each JIUZHU_FIELD_KEYS entry must be 32 bytes, base64-encoded")
        keys.append(AESGCM(key))
    return keys


def _all_keys() -> list[AESGCM]:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Return the AES-GCM ciphertext of PLAINTEXT, bound to CONTEXT (e.g. "person.id_number")."""
    nonce = os.urandom(12)
    body = _all_keys()[0].encrypt(nonce, plaintext.encode(), context.encode())
    return bytes([_VERSION, 0]) + nonce + body


def decrypt(blob: bytes, *, context: str) -> str:
    """Return the plaintext of BLOB; raises if it was tampered with or bound to another context."""
    blob = bytes(blob)
    if blob[0] != _VERSION:
        raise ValueError("unknown ciphertext version")
    key = _all_keys()[blob[1]]
    return key.decrypt(blob[2:14], blob[14:], context.encode()).decode()


def blind_index(value: str, *, context: str) -> str:
    """Return the hex HMAC of a normalised VALUE, for equality lookups without decrypting."""
    key = settings.BLIND_INDEX_KEY.encode()
    msg = f"{context}\x00{value.strip().upper()}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()
