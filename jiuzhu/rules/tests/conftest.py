"""Fixtures of the rules tests: the procuratorates of contracts §1 with Tibet's illustrative wage bases.

Lighter than the project's `world` fixture (no staff): the rules need organisations, not users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from jiuzhu.orgs.models import Organisation, OrgSetting


@dataclass
class Tibet:
    orgs: dict[str, Organisation] = field(default_factory=dict)


@pytest.fixture
def tibet(db):  # type: ignore[no-untyped-def]
    """The 14 procuratorates of contracts §1 (`tibet.orgs["540528"]`) and Tibet's wage bases 2017–2026."""
    from jiuzhu.demo import data
    from jiuzhu.demo.rules import load_demo_rules
    from jiuzhu.orgs.actions import create_organisation

    world = Tibet()
    for code, name, parent, level, _slug in data.ORGS:
        world.orgs[code] = create_organisation(name=name, code=code, parent=world.orgs.get(parent or ""),
                                               level=level)
    load_demo_rules()
    return world


@pytest.fixture
def setting(tibet):  # type: ignore[no-untyped-def]
    """Set a setting on an organisation: setting("540000", "amount.cap_months", 48)."""
    def set_(code: str, key: str, value: Any) -> None:
        OrgSetting.objects.update_or_create(org=tibet.orgs[code], key=key, defaults={"value": value})

    return set_
