"""Personal data at rest: AES-256-GCM encryption and HMAC-SHA256 blind indexes.

A ciphertext is `version byte | 4-byte key fingerprint | 12-byte nonce | ciphertext+tag`. The
fingerprint (the start of SHA-256 of the key) names the key that encrypted the value, so keys can be
rotated by putting a new key first in settings.FIELD_ENCRYPTION_KEYS: new values use it, old values
still decrypt with theirs, wherever it sits in the list.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = 2
_FP = 4  # bytes of key fingerprint
_HEAD = 1 + _FP


@functools.cache
def _keys(raw: tuple[str, ...]) -> list[tuple[bytes, AESGCM]]:
    keys = []
    for item in raw:
        key = base64.b64decode(item)
        if len(key) != 32:
            raise ValueError("each JIUZHU_FIELD_KEYS entry must be 32 bytes, base64-encoded")
        keys.append((hashlib.sha256(key).digest()[:_FP], AESGCM(key)))
    return keys


def _all_keys() -> list[tuple[bytes, AESGCM]]:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Return the AES-GCM ciphertext of PLAINTEXT, bound to CONTEXT (e.g. "person.id_number")."""
    nonce = os.urandom(12)
    fingerprint, key = _all_keys()[0]
    return bytes([_VERSION]) + fingerprint + nonce + key.encrypt(nonce, plaintext.encode(), context.encode())


def decrypt(blob: bytes | memoryview, *, context: str) -> str:
    """Return the plaintext of BLOB; raises if it was tampered with or bound to another context."""
    blob = bytes(blob)
    if not blob or blob[0] != _VERSION:
        raise ValueError("unknown ciphertext version")
    fingerprint = blob[1:_HEAD]
    key = next((k for fp, k in _all_keys() if fp == fingerprint), None)
    if key is None:
        raise ValueError("the key that encrypted this value is not configured")
    return key.decrypt(blob[_HEAD:_HEAD + 12], blob[_HEAD + 12:], context.encode()).decode()


def blind_index(value: str, *, context: str) -> str:
    """Return the hex HMAC of a normalised VALUE, for equality lookups without decrypting."""
    key = settings.BLIND_INDEX_KEY.encode()
    msg = f"{context}\x00{value.strip().upper()}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()
