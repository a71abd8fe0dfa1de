"""The private file store: a FileSystemStorage whose every file is encrypted at rest (jiuzhu.lib.filecrypt).

It is STORAGES["default"], so every FileField (issued documents, templates, case attachments, portal
materials, custody evidence, ledger imports) and every `default_storage` write goes through it:
`save` encrypts while streaming, `open` returns a seekable reader that decrypts one chunk at a time,
`size` is the plaintext's. `path()` still names the file on disk, which holds only ciphertext.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from jiuzhu.lib import filecrypt

ROTATING_SUFFIX = ".rotating"


class _Encrypting(File):
    """CONTENT seen through encryption: FileSystemStorage._save streams `chunks()` to disk."""

    def __init__(self, content: File) -> None:
        super().__init__(None, name=content.name)
        self._content = content

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        source = (c.encode() if isinstance(c, str) else c for c in self._content.chunks(filecrypt.CHUNK))
        return filecrypt.encrypt_chunks(source)


class _StoredFile(File):
    """A decrypting File that, once closed, reopens through its storage (FieldFile caches it)."""

    def __init__(self, file: Any, *, name: str, storage: EncryptedFileSystemStorage) -> None:
        super().__init__(file, name=name)
        self._storage = storage

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> _StoredFile:
        if not self.closed:
            self.seek(0)
        else:
            self.file = self._storage._reader(self.name or "")
        return self


@deconstructible(path="jiuzhu.lib.storage.EncryptedFileSystemStorage")
class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        # Never the temporary-file move of the parent: that would store the upload as it came.
        return super()._save(name, _Encrypting(content))

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("stored files are written only through save()")
        return _StoredFile(self._reader(name), name=name, storage=self)

    def _reader(self, name: str) -> Any:
        raw = open(self.path(name), "rb")  # noqa: SIM115 - closed with the returned File
        return filecrypt.open_plaintext(raw, allow_plaintext=settings.PRIVATE_FILES_READ_PLAINTEXT)

    def size(self, name: str) -> int:
        with open(self.path(name), "rb") as raw:
            header = filecrypt.read_header(raw)
            if header is None:
                return os.fstat(raw.fileno()).st_size
            return filecrypt.DecryptingReader(raw, header, close_raw=False).size

    # --- rotation (jiuzhu rotate-keys) ---------------------------------------------------------------

    def all_names(self) -> list[str]:
        """Every stored file, sorted (the rotation's order and checkpoint)."""
        names = []
        for root, _dirs, files in os.walk(self.location):
            for f in files:
                if f.endswith(ROTATING_SUFFIX):
                    continue
                names.append(os.path.relpath(os.path.join(root, f), self.location).replace("\\", "/"))
        return sorted(names)

    def remove_stale_rotations(self) -> int:
        """Delete the half-written copies an interrupted rotation left (never a stored file)."""
        n = 0
        for root, _dirs, files in os.walk(self.location):
            for f in files:
                if f.endswith(ROTATING_SUFFIX):
                    os.remove(os.path.join(root, f))
                    n += 1
        return n

    def rotate(self, name: str, *, full: bool = False) -> str:
        """Bring NAME under the newest key and the configured cipher; return what was done.

        "skipped" (already there), "rewrapped" (same cipher: new wrapped data key, chunks copied),
        "reencrypted" (another cipher, or FULL: new data key, every chunk), "encrypted" (a legacy
        plaintext file). The new file replaces the old one atomically (os.replace).
        """
        path = self.path(name)
        tmp = path + ROTATING_SUFFIX
        with open(path, "rb") as raw:
            header = filecrypt.read_header(raw)
            if header is not None and header.is_current() and not full:
                return "skipped"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, self.file_permissions_mode or 0o600)
            with os.fdopen(fd, "wb") as out:
                if header is None:
                    raw.seek(0)
                    outcome = "encrypted"
                    for chunk in filecrypt.encrypt_chunks(iter(lambda: raw.read(filecrypt.CHUNK), b"")):
                        out.write(chunk)
                elif header.cipher == filecrypt.crypto.configured_cipher() and not full:
                    outcome = "rewrapped"
                    filecrypt.DecryptingReader(raw, header, close_raw=False)  # refuse to re-wrap a damaged file
                    new, _ = filecrypt.new_header(header.chunk_size, data_key=header.data_key())
                    new = filecrypt.Header(header.fixed, header.cipher, header.chunk_size, header.prefix, new.wrapped)
                    out.write(filecrypt.header_bytes(new))
                    raw.seek(header.length)
                    for chunk in iter(lambda: raw.read(1 << 20), b""):
                        out.write(chunk)
                else:
                    outcome = "reencrypted"
                    reader = filecrypt.DecryptingReader(raw, header, close_raw=False)
                    for chunk in filecrypt.encrypt_chunks(iter(lambda: reader.read(filecrypt.CHUNK), b"")):
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, path)
        return outcome
