"""Model helpers shared by the apps."""

from __future__ import annotations

from typing import Any


class AppendOnly:
    """Mixin for rows that are only ever added (ledgers): saving a stored row or deleting one raises.

    Put it before models.Model in the bases; RECORD_NAME names the rows in the Chinese message.
    """

    RECORD_NAME = "记录"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:  # type: ignore[attr-defined]
            raise ValueError(f"{self.RECORD_NAME}不可修改。")
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"{self.RECORD_NAME}不可删除。")


def prefetched(instance: Any, name: str) -> list[Any] | None:
    """The rows of INSTANCE's relation NAME when a prefetch_related already loaded them, else None.

    The case page loads its case with everything it shows (cases.queries.case_for_page); a reader that
    would ask the database again (the documents panel's approval route) uses these rows instead. Any
    other caller (an action, with a freshly locked case) gets None and queries as before.
    """
    cache = getattr(instance, "_prefetched_objects_cache", None) or {}
    return list(cache[name]) if name in cache else None


def loaded_one(instance: Any, name: str) -> tuple[bool, Any]:
    """(True, the row or None) when INSTANCE's reverse one-to-one NAME was loaded with select_related,
    else (False, None): the caller then asks the database itself."""
    from django.core.exceptions import ObjectDoesNotExist

    if not getattr(type(instance), name).is_cached(instance):
        return False, None
    try:
        return True, getattr(instance, name)
    except ObjectDoesNotExist:
        return True, None
