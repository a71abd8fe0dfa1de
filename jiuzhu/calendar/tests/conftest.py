"""Shared fixtures of the calendar tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jiuzhu.calendar import workdays


@pytest.fixture(autouse=True)
def _forget_warned_years() -> Iterator[None]:
    """Each test sees the once-per-process warning about an unknown year afresh."""
    workdays._warned_years.clear()
    yield
    workdays._warned_years.clear()
