"""Personal data at rest: authenticated encryption (AES-256-GCM or SM4-GCM) and HMAC blind indexes.

A ciphertext is `version 3 | 4-byte key id | 1-byte cipher id | 12-byte nonce | ciphertext+tag`. The
key id (the start of SHA-256 of the key) names the key that encrypted the value and the cipher id the
algorithm, so both can change: new values use the first key of settings.FIELD_ENCRYPTION_KEYS and the
cipher of settings.FIELD_CIPHER, old values still decrypt with theirs, wherever the key sits in the
list, and `jiuzhu rotate-keys` moves them all to the newest key and the configured cipher.
Version 2 (no cipher id, always AES-256-GCM) is what Jiuzhu wrote before; it is still read.

Keys are 32 random bytes each. SM4 takes 128-bit keys: its key is derived from the configured key
with HKDF-SM3 (info "jiuzhu sm4-gcm"), so one key list serves both ciphers (GM/T 0002-2012 SM4,
GM/T 0004-2012 SM3, GCM as in RFC 8998).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_V2 = 2
_VERSION = 3
_FP = 4  # bytes of key id
_NONCE = 12
TAG = 16

# Cipher names (settings.FIELD_CIPHER) and the id byte each one has in a ciphertext.
AES_256_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
CIPHERS: dict[str, int] = {AES_256_GCM: 1, SM4_GCM: 2}
CIPHER_NAMES = {v: k for k, v in CIPHERS.items()}
BLIND_INDEX_ALGS = ("hmac-sha256", "hmac-sm3")


class Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class SM4GCM:
    """SM4 in GCM mode with AESGCM's interface (`cryptography` has no AEAD class for it)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 16:
            raise ValueError("an SM4 key is 16 bytes")
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        enc = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        if associated_data:
            enc.authenticate_additional_data(associated_data)
        return enc.update(data) + enc.finalize() + enc.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        from cryptography.exceptions import InvalidTag

        if len(data) < TAG:
            raise InvalidTag()
        dec = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, data[-TAG:])).decryptor()
        if associated_data:
            dec.authenticate_additional_data(associated_data)
        return dec.update(data[:-TAG]) + dec.finalize()


def aead(cipher: str, key: bytes) -> Aead:
    """Return the AEAD of CIPHER under KEY (32 bytes for AES-256-GCM, 16 for SM4-GCM)."""
    if cipher == AES_256_GCM:
        return AESGCM(key)
    if cipher == SM4_GCM:
        return SM4GCM(key)
    raise ValueError(f"unknown cipher {cipher!r}")


def key_length(cipher: str) -> int:
    return 16 if cipher == SM4_GCM else 32


@dataclass(frozen=True)
class FieldKey:
    key_id: bytes
    raw: bytes

    @functools.cached_property
    def _aeads(self) -> dict[str, Aead]:
        sm4 = HKDF(algorithm=hashes.SM3(), length=16, salt=None, info=b"jiuzhu sm4-gcm").derive(self.raw)
        return {AES_256_GCM: AESGCM(self.raw), SM4_GCM: SM4GCM(sm4)}

    def aead(self, cipher: str) -> Aead:
        return self._aeads[cipher]


@functools.cache
def _keys(raw: tuple[str, ...]) -> list[FieldKey]:
    keys = []
    for item in raw:
        key = base64.b64decode(item)
        if len(key) != 32:
            raise ValueError("each JIUZHU_FIELD_KEYS entry must be 32 bytes, base64-encoded")
        keys.append(FieldKey(hashlib.sha256(key).digest()[:_FP], key))
    return keys


def _all_keys() -> list[FieldKey]:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def configured_cipher() -> str:
    cipher = getattr(settings, "FIELD_CIPHER", AES_256_GCM)
    if cipher not in CIPHERS:
        raise ValueError(f"JIUZHU_CIPHER must be one of {', '.join(CIPHERS)}, not {cipher!r}")
    return cipher


def newest_key_id() -> bytes:
    return _all_keys()[0].key_id


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Return the ciphertext of DATA under the newest key and the configured cipher, bound to CONTEXT."""
    cipher = configured_cipher()
    key = _all_keys()[0]
    nonce = os.urandom(_NONCE)
    head = bytes([_VERSION]) + key.key_id + bytes([CIPHERS[cipher]])
    return head + nonce + key.aead(cipher).encrypt(nonce, data, context.encode())


def _parse(blob: bytes) -> tuple[bytes, str, int]:
    """Return (key id, cipher, offset of the nonce) of BLOB."""
    if blob[:1] == bytes([_VERSION]) and len(blob) > 1 + _FP + 1:
        name = CIPHER_NAMES.get(blob[1 + _FP])
        if name is None:
            raise ValueError("unknown cipher in ciphertext")
        return blob[1:1 + _FP], name, 1 + _FP + 1
    if blob[:1] == bytes([_V2]):
        return blob[1:1 + _FP], AES_256_GCM, 1 + _FP
    raise ValueError("unknown ciphertext version")


def describe(blob: bytes | memoryview) -> tuple[bytes, str]:
    """Return (key id, cipher) of a ciphertext, without decrypting it."""
    key_id, cipher, _ = _parse(bytes(blob))
    return key_id, cipher


def is_current(blob: bytes | memoryview) -> bool:
    """Whether BLOB is written as `encrypt_bytes` writes today (newest key, configured cipher, version 3)."""
    blob = bytes(blob)
    return blob[:1] == bytes([_VERSION]) and describe(blob) == (newest_key_id(), configured_cipher())


def decrypt_bytes(blob: bytes | memoryview, *, context: str) -> bytes:
    """Return the plaintext of BLOB; raises if it was tampered with or bound to another context."""
    blob = bytes(blob)
    if not blob:
        raise ValueError("unknown ciphertext version")
    key_id, cipher, at = _parse(blob)
    key = next((k for k in _all_keys() if k.key_id == key_id), None)
    if key is None:
        raise ValueError("the key that encrypted this value is not configured")
    return key.aead(cipher).decrypt(blob[at:at + _NONCE], blob[at + _NONCE:], context.encode())


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Return the ciphertext of PLAINTEXT, bound to CONTEXT (e.g. "person.id_number")."""
    return encrypt_bytes(plaintext.encode(), context=context)


def decrypt(blob: bytes | memoryview, *, context: str) -> str:
    """Return the plaintext of BLOB; raises if it was tampered with or bound to another context."""
    return decrypt_bytes(blob, context=context).decode()


def blind_index(value: str, *, context: str) -> str:
    """Return the hex HMAC of a normalised VALUE, for equality lookups without decrypting.

    HMAC-SHA256 or HMAC-SM3 (settings.BLIND_INDEX_ALG); both give 64 hex digits. Changing the
    algorithm or the key changes every index: run `jiuzhu rotate-keys` right after.
    """
    key = settings.BLIND_INDEX_KEY.encode()
    msg = f"{context}\x00{value.strip().upper()}".encode()
    alg = getattr(settings, "BLIND_INDEX_ALG", "hmac-sha256")
    if alg == "hmac-sha256":
        return hmac.new(key, msg, hashlib.sha256).hexdigest()
    if alg == "hmac-sm3":
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(msg)
        return mac.finalize().hex()
    raise ValueError(f"JIUZHU_BLIND_INDEX_ALG must be one of {', '.join(BLIND_INDEX_ALGS)}, not {alg!r}")
