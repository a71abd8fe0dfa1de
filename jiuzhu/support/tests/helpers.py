"""Test helpers: partner agencies of an area, and a referral sent through the real action."""

from __future__ import annotations

from typing import Any

from jiuzhu.support import actions
from jiuzhu.support.models import AgencyKind, PartnerAgency


def agency(world: Any, code: str = "540527", kind: str = AgencyKind.EDUCATION, name: str = "") -> PartnerAgency:
    org = world.orgs[code]
    label = AgencyKind(kind).label
    return PartnerAgency.objects.create(org=org, kind=kind, name=name or f"{org.name.replace('人民检察院', '')}{label}局")


def refer(world: Any, case: Any, ag: PartnerAgency, **kw: Any) -> tuple[Any, str]:
    code = case.handling_org.code
    args = {"measures": ["schooling"], "situation": "子女面临辍学，请协助落实就学与学费减免。", "basis": "consent",
            "basis_note": "当事人书面同意", "shared_fields": ["name", "phone"]}
    args.update(kw)
    return actions.send_referral(case, acting_user=world.user(code, "kongshen"), agency=ag, **args)
