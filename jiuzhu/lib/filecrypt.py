"""Stored files at rest: envelope encryption, streamed in chunks.

Each file gets a random data key; the file is encrypted with it in chunks of 64 KiB (AES-256-GCM or
SM4-GCM, settings.FIELD_CIPHER) and the data key is wrapped under the newest field key
(jiuzhu.lib.crypto, whose ciphertext names the key id and the cipher). Layout:

    fixed header  "JZF\\0" | format 1 | cipher id | chunk size (4, big-endian) | nonce prefix (7)
    wrapped key   length (2, big-endian) | crypto.encrypt_bytes(data key)
    chunks        ciphertext + 16-byte tag, every chunk full but the last (which may be empty)

Chunk i is sealed with nonce `prefix | i (4) | final (1)` and associated data `fixed header | i (8) |
final (1)` (the STREAM construction): a reordered, dropped or appended chunk, or a file cut at any
byte, fails to decrypt. The wrapped key is not in the associated data, so rotating to a new field key
re-wraps the data key and copies the chunks as they are.

The SHA-256 Jiuzhu records of an issued document is over the plaintext: it identifies the document
(the bytes a reader gets back), not one encryption of it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag

from jiuzhu.lib import crypto

MAGIC = b"JZF\x00"
FORMAT = 1
CHUNK = 64 * 1024
FILE_KEY_CONTEXT = "jiuzhu.file-key"
_FIXED = len(MAGIC) + 1 + 1 + 4 + 7
_PREFIX = 7


class FileDecryptionError(OSError):
    """A stored file could not be decrypted: tampered with, truncated, or its key is not configured.

    An OSError, so code that treats an unreadable file as missing (documents.render.matches) does.
    """


@dataclass(frozen=True)
class Header:
    fixed: bytes
    cipher: str
    chunk_size: int
    prefix: bytes
    wrapped: bytes

    @property
    def length(self) -> int:
        return _FIXED + 2 + len(self.wrapped)

    @property
    def key_id(self) -> bytes:
        return crypto.describe(self.wrapped)[0]

    def data_key(self) -> bytes:
        try:
            return crypto.decrypt_bytes(self.wrapped, context=FILE_KEY_CONTEXT)
        except (InvalidTag, ValueError) as e:
            raise FileDecryptionError(f"cannot unwrap the file's data key: {e}") from e

    def is_current(self) -> bool:
        return self.cipher == crypto.configured_cipher() and crypto.is_current(self.wrapped)


def is_encrypted(head: bytes) -> bool:
    return head[:len(MAGIC)] == MAGIC


def read_header(f: BinaryIO) -> Header | None:
    """Read the header at F's start; None when F does not start with the magic (a legacy plaintext file)."""
    f.seek(0)
    fixed = f.read(_FIXED)
    if not is_encrypted(fixed):
        return None
    if len(fixed) < _FIXED or fixed[4] != FORMAT or fixed[5] not in crypto.CIPHER_NAMES:
        raise FileDecryptionError("unknown encrypted file format")
    chunk_size = int.from_bytes(fixed[6:10], "big")
    size = f.read(2)
    wrapped = f.read(int.from_bytes(size, "big")) if len(size) == 2 else b""
    if chunk_size <= 0 or not wrapped or len(wrapped) != int.from_bytes(size, "big"):
        raise FileDecryptionError("truncated encrypted file header")
    return Header(fixed, crypto.CIPHER_NAMES[fixed[5]], chunk_size, fixed[10:10 + _PREFIX], wrapped)


def _nonce_ad(header: Header, index: int, final: bool) -> tuple[bytes, bytes]:
    if index >= 1 << 32:
        raise ValueError("file too large for one envelope")
    flag = b"\x01" if final else b"\x00"
    return header.prefix + index.to_bytes(4, "big") + flag, header.fixed + index.to_bytes(8, "big") + flag


def new_header(chunk_size: int = CHUNK, *, data_key: bytes | None = None) -> tuple[Header, bytes]:
    """A header for a new file (configured cipher, newest key) and its data key."""
    cipher = crypto.configured_cipher()
    data_key = data_key or os.urandom(crypto.key_length(cipher))
    prefix = os.urandom(_PREFIX)
    fixed = MAGIC + bytes([FORMAT, crypto.CIPHERS[cipher]]) + chunk_size.to_bytes(4, "big") + prefix
    wrapped = crypto.encrypt_bytes(data_key, context=FILE_KEY_CONTEXT)
    return Header(fixed, cipher, chunk_size, prefix, wrapped), data_key


def header_bytes(header: Header) -> bytes:
    return header.fixed + len(header.wrapped).to_bytes(2, "big") + header.wrapped


def encrypt_chunks(chunks: Iterable[bytes], *, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Yield the encrypted file of the concatenated CHUNKS: the header, then one sealed chunk at a time."""
    header, data_key = new_header(chunk_size)
    box = crypto.aead(header.cipher, data_key)
    yield header_bytes(header)
    buf = bytearray()
    index = 0
    for data in chunks:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("stored files are binary")
        buf += data
        # Keep at least one full chunk back: the last chunk must be sealed as final.
        while len(buf) > chunk_size:
            nonce, ad = _nonce_ad(header, index, False)
            yield box.encrypt(nonce, bytes(buf[:chunk_size]), ad)
            del buf[:chunk_size]
            index += 1
    nonce, ad = _nonce_ad(header, index, True)
    yield box.encrypt(nonce, bytes(buf), ad)


def encrypt(data: bytes, *, chunk_size: int = CHUNK) -> bytes:
    return b"".join(encrypt_chunks([data], chunk_size=chunk_size))


class DecryptingReader(io.RawIOBase):
    """A seekable, read-only view of the plaintext of an encrypted file (decrypts chunk by chunk)."""

    def __init__(self, raw: BinaryIO, header: Header | None = None, *, close_raw: bool = True) -> None:
        super().__init__()
        self._raw = raw
        self._close_raw = close_raw
        header = header or read_header(raw)
        if header is None:
            raise FileDecryptionError("the file is not encrypted")
        self.header = header
        self._box = crypto.aead(header.cipher, header.data_key())
        raw.seek(0, io.SEEK_END)
        body = raw.tell() - header.length
        step = header.chunk_size + crypto.TAG
        self._chunks = -(-body // step) if body > 0 else 0
        if self._chunks == 0 or body - (self._chunks - 1) * step < crypto.TAG:
            raise FileDecryptionError("truncated encrypted file")
        self.size = body - self._chunks * crypto.TAG
        self._pos = 0
        self._cache: tuple[int, bytes] | None = None
        self._chunk(self._chunks - 1)  # a cut file fails here, whatever is read later

    def _chunk(self, index: int) -> bytes:
        if self._cache and self._cache[0] == index:
            return self._cache[1]
        step = self.header.chunk_size + crypto.TAG
        self._raw.seek(self.header.length + index * step)
        sealed = self._raw.read(step)
        final = index == self._chunks - 1
        nonce, ad = _nonce_ad(self.header, index, final)
        try:
            data = self._box.decrypt(nonce, sealed, ad)
        except InvalidTag as e:
            raise FileDecryptionError(f"encrypted file chunk {index} was altered or is missing") from e
        if not final and len(data) != self.header.chunk_size:
            raise FileDecryptionError("encrypted file chunk has the wrong length")
        self._cache = (index, data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self.size:
            return 0
        index = self._pos // self.header.chunk_size
        data = self._chunk(index)
        offset = self._pos - index * self.header.chunk_size
        n = min(len(b), len(data) - offset)
        b[:n] = data[offset:offset + n]
        self._pos += n
        return n

    def close(self) -> None:
        if not self.closed and self._close_raw:
            self._raw.close()
        super().close()


def open_plaintext(raw: BinaryIO, *, allow_plaintext: bool) -> BinaryIO:
    """Return a buffered reader of RAW's plaintext (RAW itself for a legacy file, if ALLOW_PLAINTEXT)."""
    header = read_header(raw)
    if header is None:
        if not allow_plaintext:
            raw.close()
            raise FileDecryptionError("the stored file is not encrypted (JIUZHU_PRIVATE_FILES_READ_PLAINTEXT is off)")
        raw.seek(0)
        return raw
    return io.BufferedReader(DecryptingReader(raw, header), buffer_size=CHUNK)


def decrypt(data: bytes, *, allow_plaintext: bool = False) -> bytes:
    with open_plaintext(io.BytesIO(data), allow_plaintext=allow_plaintext) as f:
        return f.read()
