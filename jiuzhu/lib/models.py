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
