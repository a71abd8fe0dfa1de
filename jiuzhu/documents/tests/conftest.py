"""Cases at the step each document needs, built through the real actions."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from jiuzhu.cases import actions as case_actions
from jiuzhu.documents import actions
from jiuzhu.documents.models import IssuedDocument, Kind

AMOUNT = "12000"
MISSING = "1. 医疗费用票据原件\n2. 村委会出具的生活困难证明"


def handler(world: Any, code: str = "540528") -> Any:
    return world.user(code, "kongshen")


def refused(world: Any, code: str = "540528") -> Any:
    """Return a case of CODE refused for grounds X5 and X6 (through its approval route, where there is one)."""
    case = world.to("pending_approval", code)
    reasons, grounds = "申请人的生活困难并非本案所致。\n其家庭已纳入低保。", ["X5", "X6"]
    try:
        from jiuzhu.demo.loader import approve_route  # type: ignore[attr-defined]
    except ImportError:  # a single approver decides
        case_actions.decide_refuse(case, acting_user=world.user(code, "dept_head"), reasons=reasons, grounds=grounds)
    else:
        approve_route(world.demo, case, refuse=reasons, grounds=grounds)
    return case


def issued(case: Any, kind: str, acting_user: Any, extra: dict[str, Any] | None = None) -> IssuedDocument:
    """The case's KIND document: the 审批表 is the one made when the route completed; any other kind is issued now."""
    if kind == Kind.APPROVAL_FORM:
        return IssuedDocument.objects.get(case=case, kind=kind, status=IssuedDocument.Status.ISSUED)
    return actions.issue_document(case, kind, acting_user=acting_user, extra=extra)


def case_for(world: Any, kind: str, code: str = "540528") -> tuple[Any, dict[str, Any]]:
    """Return a case of CODE at a step where KIND makes sense, and the extra input it needs."""
    h = handler(world, code)
    if kind == Kind.NOTICE:
        return world.to("notified", code), {}
    if kind == Kind.ORAL_RECORD:
        case = world.to("notified", code)
        case_actions.register_application(case, acting_user=h, form="oral",
                                          oral_record="我丈夫被人打成重伤，家里没有收入。\n请求给予救助。")
        return case, {}
    if kind == Kind.MATERIALS_LIST:
        return world.to("applied", code), {"items": [{"name": "国家司法救助申请书", "copies": "1", "pages": "2",
                                                      "form": "原件"},
                                                     {"name": "身份证", "copies": "1", "pages": "1", "form": "复印件"}]}
    if kind == Kind.SUPPLEMENT_NOTICE:
        case = world.to("applied", code)
        case_actions.request_supplement(case, acting_user=h, missing=MISSING)
        return case, {}
    if kind == Kind.ACCEPTANCE_NOTICE:
        return world.to("accepted", code), {}
    if kind == Kind.REVIEW_REPORT:
        return world.to("pending_approval", code, amount=AMOUNT), {"amount_basis": "西藏上一年度职工月平均工资×4个月"}
    if kind in (Kind.APPROVAL_FORM, Kind.GRANT_DECISION):
        return world.to("granted", code, amount=AMOUNT), {"payment_method": "lump_sum",
                                                         "joint_aid": "本案系联合救助，山南市人民检察院出资7,000.00元。"}
    if kind == Kind.REFUSAL_DECISION:
        return refused(world, code), {}
    if kind == Kind.SERVICE_RECEIPT:
        case = world.to("granted", code, amount=AMOUNT)
        actions.issue_document(case, Kind.GRANT_DECISION, acting_user=h)
        return case, {}
    if kind == Kind.PAYMENT_RECEIPT:
        return world.to("awaiting_payment", code, amount=AMOUNT), {"instalment": 1}
    if kind == Kind.ENTRUSTMENT_AGREEMENT:
        from jiuzhu.custody.tests.helpers import custodian, entrusted

        return entrusted(world, custodian(world, code), amount=AMOUNT, code=code).case, {}
    if kind == Kind.REFERRAL_LETTER:
        from jiuzhu.support.actions import send_referral
        from jiuzhu.support.models import PartnerAgency

        case = world.to("paid", code, amount=AMOUNT)
        agency = PartnerAgency.objects.create(org=case.handling_org, kind="education", name="加查县教育局")
        referral, _ = send_referral(case, acting_user=h, agency=agency, measures=["schooling"], situation="子女面临辍学。",
                                    basis="consent", basis_note="书面同意", shared_fields=["name", "address"])
        return case, {"referral": referral.pk}
    raise ValueError(kind)


def docx_of(doc: IssuedDocument) -> Any:
    with doc.docx.open("rb") as f:
        return Document(io.BytesIO(f.read()))


def paragraphs_of(d: Any) -> list[Any]:
    out = list(d.paragraphs)
    for table in d.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(cell.paragraphs)
    return out


def text_of(d: Any) -> str:
    return "\n".join(p.text for p in paragraphs_of(d))


def runs_without_east_asian_font(d: Any) -> list[str]:
    bad = []
    for p in paragraphs_of(d):
        for r in p.runs:
            if not r.text.strip():
                continue
            fonts = r._r.rPr.find(qn("w:rFonts")) if r._r.rPr is not None else None
            if fonts is None or not fonts.get(qn("w:eastAsia")) or not fonts.get(qn("w:ascii")):
                bad.append(r.text)
    return bad


@pytest.fixture
def amount() -> Decimal:
    return Decimal(AMOUNT)

