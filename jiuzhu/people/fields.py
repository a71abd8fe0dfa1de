"""Model fields for personal data encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.db import models

from jiuzhu.lib import crypto


class EncryptedTextField(models.BinaryField):
    """A text value stored as AES-256-GCM ciphertext; the Python value is the plain string.

    Pair it with a blind-index CharField when equality lookups are needed. Empty strings are stored
    as NULL, so `isnull` says whether a value was given.
    """

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def _context(self) -> str:
        return self.context or f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value is None:
            return ""
        return crypto.decrypt(value, context=self._context())

    def to_python(self, value: Any) -> str:
        if isinstance(value, (bytes, memoryview)):
            return crypto.decrypt(bytes(value), context=self._context())
        return value or ""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value in (None, ""):
            return None
        return super().get_db_prep_value(crypto.encrypt(str(value), context=self._context()), connection, prepared)

    def value_to_string(self, obj: Any) -> str:
        return ""  # never serialised in clear (dumpdata, admin history)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(required=not self.blank, **kwargs)
