"""The referral family: the referral letter (转介移送函), built from support's data (support/queries.py)."""

from __future__ import annotations

from typing import Any

from jiuzhu.cases.models import (
    AidCase,
)
from jiuzhu.documents.context.common import _need, cn_date


def _referral(case: AidCase, extra: dict[str, Any]) -> Any:
    from jiuzhu.support.models import Referral

    referral = Referral.objects.filter(case=case, pk=extra.get("referral") or 0).select_related("agency").first()
    _need(referral is not None, "请选择本案的一次转介移送。")
    return referral



def _subject_referral(case: AidCase, extra: dict[str, Any]) -> str:
    return f"referral:{_referral(case, extra).pk}"



def _referral_letter(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The letter carries only what the referral shares (support.queries.shared_with_partner): never the ID number."""
    from jiuzhu.support.queries import shared_with_partner

    referral = _referral(case, {"referral": int(subject.split(":")[1])})
    basis = referral.get_basis_display() + (f"（{referral.basis_note}）" if referral.basis_note else "")
    return {
        "agency_name": referral.agency.name, "referral_measures": referral.measure_labels(),
        "referral_basis": basis, "referral_situation": referral.situation, "referral_due": cn_date(referral.due_on),
        "referral_shared": [f"{label}：{value}" for label, value in shared_with_partner(referral)] or ["（未提供）"],
    }
