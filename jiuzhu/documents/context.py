"""What each kind of document says: which case it makes sense for, and the fields it is filled with.

`SPECS[kind].subject(case, extra)` decides whether the document makes sense now (raising a
CaseActionError in Chinese when not) and what it is about; `build_context(...)` returns the
docxtpl context. The field names are the placeholders an administrator may use in a template
(`FIELDS` describes each, for the admin's template check).

Documents are part of the case file: names appear in full, minors' included, and so do the
identifiers the form needs. `snapshot()` is what the database keeps of them: identifiers masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from jiuzhu.accounts.models import Capability
from jiuzhu.cases.actions import CaseActionError
from jiuzhu.cases.models import (
    AidCase,
    Attachment,
    CaseEvent,
    Category,
    Deadline,
    Record,
    RefusalGround,
    ReviewOpinion,
)
from jiuzhu.documents.models import Kind
from jiuzhu.documents.money import rmb_upper, yuan
from jiuzhu.documents.sandbox import Policy
from jiuzhu.orgs.models import Organisation
from jiuzhu.orgs.policy import get_setting
from jiuzhu.people import idcard

BLANK = "________"
BLANK_DATE = "　　年　　月　　日"
RULES = "《人民检察院开展国家司法救助工作细则》"
ITEM_NUMERALS = "一二三四五六七八九十"
MANNERS = {"written": "书面告知", "oral": "口头告知"}
PAYMENT_METHODS: dict[str, str] = {
    AidCase.PaymentMethod.LUMP_SUM: "一次性发放",
    AidCase.PaymentMethod.INSTALMENTS: "分期发放",
    AidCase.PaymentMethod.CUSTODY: "委托第三方代管、按计划发放",
}
MATERIALS_REQUIRED = [
    "（一）国家司法救助申请书；",
    "（二）申请人的身份证明；",
    "（三）实际损害结果证明，包括被害人伤情鉴定意见、医疗诊断结论及医疗费用单据或者死亡证明，"
    "受不法侵害所致财产损失情况；",
    "（四）申请人及其家庭成员生活困难情况的证明；",
    "（五）是否获得赔偿、救助等情况的说明或者证明材料；",
    "（六）其他有关证明材料。",
]
DEFAULT_OTHER_HELP = ("如你家庭生活确有困难，可以向当地民政、乡村振兴等部门申请社会救助，本院可以协助转介。"
                      "对本决定有疑问的，可以向本院询问，或者通过12309检察服务中心反映。")
# Values kept only masked in IssuedDocument.context (CONTRIBUTING: personal data never in clear in
# the database); the .docx in private storage holds them in full, as the case file must.
SENSITIVE: dict[str, Callable[[str], str]] = {
    "applicant_id_number": idcard.mask_id_number,
    "payee_id_number": idcard.mask_id_number,
    "signer_id_number": idcard.mask_id_number,
    "applicant_phone": idcard.mask_phone,
    "applicant_address": idcard.mask_address,
    "bank_account": idcard.mask_tail,
    "custodian_account": idcard.mask_tail,
}
SENSITIVE_IN_TEXT = ("applicant_identity", "referral_shared")  # composed lines that contain the values above


def cn_date(day: dt.date | None, *, blank: str = BLANK_DATE) -> str:
    """Return DAY as GB/T 9704-2012 writes a date: Arabic numerals, no leading zeros (2026年3月5日)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else blank


def paragraphs(text: str) -> list[str]:
    """Return the non-empty lines of TEXT, each a paragraph of the document."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _label(choice_label: str) -> str:
    """Drop the leading code of a Category / RefusalGround label ("E1 刑事被害人…" → "刑事被害人…")."""
    return choice_label.split(" ", 1)[1] if " " in choice_label else choice_label


def category_text(code: str) -> str:
    if code not in Category.values:
        return "规定的情形"
    n = int(code[1:])
    return f"第（{ITEM_NUMERALS[n - 1]}）项规定的“{_label(Category(code).label)}”情形"


def ground_text(code: str) -> str:
    if code in RefusalGround.values:
        n = int(code[1:])
        return f"申请人具有{RULES}第八条第（{ITEM_NUMERALS[n - 1]}）项规定的“{_label(RefusalGround(code).label)}”情形"
    return f"申请人的情形不属于{RULES}第七条规定的救助范围"


# ---------------------------------------------------------------------------------------------
# Subjects: does the document make sense for the case now, and what is it about?


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str  # as printed at the top of the document
    subject: Callable[[AidCase, dict[str, Any]], str]
    build: Callable[[AidCase, str, dict[str, Any]], dict[str, Any]]
    capabilities: frozenset[str] = frozenset({Capability.HANDLE_CASES})
    servable: bool = False  # served on someone, so it gets a 送达回证 and service records
    extra_fields: tuple[str, ...] = field(default=())  # what the issuer may add (forms.py)


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise CaseActionError(message)


def _latest_event(case: AidCase, action: str) -> CaseEvent | None:
    return case.events.filter(action=action).order_by("-at", "-pk").first()


def _latest_opinion(case: AidCase) -> ReviewOpinion:
    opinion = case.opinions.order_by("-submitted_at", "-pk").first()
    _need(opinion is not None, "本案尚未提交审查意见，不能制作该文书。")
    assert opinion is not None
    return opinion


def _subject_notice(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.is_open and not case.decision, "案件已作出决定或已结束，不再制作告知书。")
    return ""


def _subject_oral_record(case: AidCase, extra: dict[str, Any]) -> str:
    record = case.records.filter(kind=Record.Kind.ORAL_APPLICATION).order_by("-held_on", "-pk").first()
    _need(case.application_form == AidCase.ApplicationForm.ORAL and record is not None,
          "本案不是口头申请，或尚未录入口头申请内容，不能制作口头申请笔录。")
    assert record is not None
    return f"record:{record.pk}"


def _subject_materials_list(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.applied_on is not None, "尚未登记救助申请，不能制作申请材料清单。")
    if extra.get("occasion") == "supplement":
        event = _latest_event(case, "receive_supplement")
        _need(event is not None, "本案尚未收到补正材料。")
        assert event is not None
        return f"event:{event.pk}"
    return ""


def _subject_supplement_notice(case: AidCase, extra: dict[str, Any]) -> str:
    event = _latest_event(case, "request_supplement")
    _need(event is not None, "本案没有通知补正材料的记录，不能制作补正通知书。")
    assert event is not None
    return f"event:{event.pk}"


def _subject_acceptance(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.accepted_on is not None, "本案尚未受理，不能制作受理通知书。")
    return ""


def _subject_opinion(case: AidCase, extra: dict[str, Any]) -> str:
    return f"opinion:{_latest_opinion(case).pk}"


def _subject_grant(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.decision == AidCase.Decision.GRANT, "本案尚未决定给予救助，不能制作国家司法救助决定书。")
    return ""


def _subject_refusal(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.decision == AidCase.Decision.REFUSE, "本案未决定不予救助，不能制作不予救助决定书。")
    return ""


def _served_document(case: AidCase, extra: dict[str, Any]) -> Any:
    from jiuzhu.documents.models import IssuedDocument

    qs = IssuedDocument.objects.filter(case=case, status=IssuedDocument.Status.ISSUED,
                                       kind__in=[k for k, s in SPECS.items() if s.servable])
    if extra.get("document"):
        try:
            doc = qs.filter(pk=int(extra["document"])).first()
        except (TypeError, ValueError):
            doc = None
        _need(doc is not None, "请选择本案一份有效的、需要送达的文书。")
        return doc
    doc = qs.filter(kind__in=[Kind.GRANT_DECISION, Kind.REFUSAL_DECISION]).first()
    _need(doc is not None, "请先制作需要送达的决定书，或选择要送达的文书。")
    return doc


def _subject_service_receipt(case: AidCase, extra: dict[str, Any]) -> str:
    return f"document:{_served_document(case, extra).pk}"


def _instalment(extra: dict[str, Any]) -> int:
    try:
        n = int(extra.get("instalment") or 1)
    except (TypeError, ValueError):
        n = 0
    _need(1 <= n <= 120, "期数应为1至120之间的整数。")
    return n


def _subject_payment_receipt(case: AidCase, extra: dict[str, Any]) -> str:
    _need(case.decision == AidCase.Decision.GRANT and case.funds_arrived_on is not None,
          "救助资金到位后才能制作救助金领取凭证。")
    return f"instalment:{_instalment(extra)}"


def _subject_entrustment(case: AidCase, extra: dict[str, Any]) -> str:
    from jiuzhu.custody.models import EntrustmentAgreement

    agreement = EntrustmentAgreement.objects.filter(case=case).first()
    _need(agreement is not None, "本案尚未登记资金代管委托协议，请先在“第三方资金代管”中登记。")
    return f"agreement:{agreement.pk}"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Contexts


def common(case: AidCase, org: Organisation) -> dict[str, Any]:
    """Return the fields every document may use (applicant, case, procuratorate)."""
    a = case.applicant
    oc = case.original_case
    handler = case.handler
    sex = a.get_sex_display() if a and a.sex else ""
    birth = cn_date(a.birth_date, blank="") if a and a.birth_date else ""
    # EncryptedTextField is a BinaryField to the type checker; its Python value is the plain string.
    id_number: str = a.id_number if a else ""  # type: ignore[assignment]
    address: str = a.address if a else ""  # type: ignore[assignment]
    identity = "，".join(x for x in [
        a.name if a else "", sex, f"{birth}出生" if birth else "", a.ethnicity if a else "",
        f"身份证号码{id_number}" if id_number else "", f"住{address}" if address else ""] if x)
    if oc is not None:
        charge = oc.charge.removesuffix("罪")
        name = oc.case_name or (f"{charge}案" if charge else "")
        oc_desc = f"{name}（案号：{oc.case_number}）" if name else f"案号为{oc.case_number}的案件"
    else:
        oc_desc = "本院办理的案件"
    return {
        "org_name": org.name,
        "case_number": case.number,
        "applicant_name": a.name if a else BLANK,
        "applicant_sex": sex or BLANK,
        "applicant_birth": birth or BLANK,
        "applicant_ethnicity": (a.ethnicity if a else "") or BLANK,
        "applicant_id_number": id_number or BLANK,
        "applicant_address": address or BLANK,
        "applicant_phone": (a.phone if a else "") or BLANK,
        "applicant_identity": identity or BLANK,
        "original_case_number": oc.case_number if oc else BLANK,
        "original_case_desc": oc_desc,
        "charge": oc.charge if oc else "",
        "handler_name": (handler.full_name or handler.username) if handler else BLANK,
        "contact_phone": (handler.phone if handler else "") or BLANK,
        "applied_date": cn_date(case.applied_on),
        "accepted_date": cn_date(case.accepted_on),
        "decided_date": cn_date(case.decided_on),
    }


def _notice(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    event = _latest_event(case, "notify_right")
    manner = extra.get("manner") or (event.data.get("manner") if event else "") or "written"
    return {
        "notified_name": case.applicant.name if case.applicant else BLANK,
        "manner": MANNERS.get(manner, manner),
        "categories": [f"（{ITEM_NUMERALS[i]}）{_label(c.label)}；" for i, c in enumerate(Category)],
        "materials_required": MATERIALS_REQUIRED,
        "supplement_days": get_setting(case.handling_org, "deadline.supplement_days"),
    }


def _oral_record(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    record = case.records.select_related("recorded_by").get(pk=int(subject.split(":")[1]))
    return {
        "record_date": cn_date(record.held_on),
        "record_place": record.place or case.handling_org.name,
        "recorder_name": record.recorded_by.full_name or record.recorded_by.username,
        "statement_paragraphs": paragraphs(record.content),
        "materials_text": extra.get("materials_text") or "申请人当场提交的材料见申请材料清单。",
    }


def _materials_list(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    rows = extra.get("items")
    if rows:
        items = [{"no": i, "name": str(r.get("name", "")), "copies": str(r.get("copies", "1")),
                  "pages": str(r.get("pages", "")), "form": str(r.get("form", "")), "note": str(r.get("note", ""))}
                 for i, r in enumerate(rows, 1)]
    else:
        atts = Attachment.objects.filter(case=case).order_by("uploaded_at", "pk")
        items = [{"no": i, "name": f"{a.get_kind_display()}（{a.original_name}）", "copies": "1", "pages": "",
                  "form": "", "note": a.note} for i, a in enumerate(atts, 1)]
    received = case.applied_on
    if subject.startswith("event:"):
        event = case.events.get(pk=int(subject.split(":")[1]))
        received = dt.date.fromisoformat(event.data["on"]) if event.data.get("on") else event.at.date()
    return {"items": items or [{"no": 1, "name": BLANK, "copies": "", "pages": "", "form": "", "note": ""}],
            "received_date": cn_date(received)}


def _supplement_notice(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    event = case.events.get(pk=int(subject.split(":")[1]))
    on = dt.date.fromisoformat(event.data["on"]) if event.data.get("on") else event.at.date()
    deadline = (Deadline.objects.filter(case=case, kind=Deadline.Kind.SUPPLEMENT, starts_on=on)
                .order_by("-pk").first())
    return {
        "missing_items": paragraphs(event.note) or [BLANK],
        "request_date": cn_date(on),
        "supplement_days": get_setting(case.handling_org, "deadline.supplement_days"),
        "supplement_due": cn_date(deadline.due_on if deadline else None),
    }


def _source_text(case: AidCase) -> str:
    parts = [f"本案线索来源于{case.get_channel_display()}"
             + (f"（{case.source_detail}）" if case.source_detail else "") + f"，线索日期{cn_date(case.raised_on)}。"]
    if case.applied_on:
        parts.append(f"申请人于{cn_date(case.applied_on)}以{case.get_application_form_display() or '书面申请'}"
                     "方式提出国家司法救助申请")
        parts.append(f"，本院于{cn_date(case.accepted_on)}受理。" if case.accepted_on else "。")
    return "".join(parts)


def _opinion_fields(case: AidCase, opinion: ReviewOpinion) -> dict[str, Any]:
    amount = opinion.proposed_amount
    author = opinion.submitted_by
    return {
        "recommendation": opinion.get_recommendation_display(),
        "reasoning_paragraphs": paragraphs(opinion.reasoning),
        "category_text": category_text(opinion.category),
        "amount": yuan(amount) if amount else "",
        "amount_upper": rmb_upper(amount) if amount else "",
        "amount_text": (f"拟救助金额为人民币{yuan(amount)}（大写：{rmb_upper(amount)}）。" if amount
                        else "建议不予救助，不涉及救助金额。"),
        "opinion_author": author.full_name or author.username,
        "opinion_date": cn_date(opinion.submitted_at.date()),
    }


def _review_report(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    opinion = case.opinions.select_related("submitted_by").get(pk=int(subject.split(":")[1]))
    oc = case.original_case
    checks = []
    for i, code in enumerate(RefusalGround.values, 1):
        g = opinion.grounds.get(code, {})
        checks.append({"no": i, "ground": _label(RefusalGround(code).label),
                       "result": "存在" if g.get("present") else "不存在", "note": g.get("note", "")})
    harm = paragraphs(case.harm_summary) + paragraphs(case.hardship_summary) + paragraphs(case.clue_summary)
    return {
        **_opinion_fields(case, opinion),
        "source_text": _source_text(case),
        "original_case_text": (
            f"原案件案号{oc.case_number}，案由{oc.charge or '未登记'}，诉讼阶段：{oc.get_stage_display() or '未登记'}，"
            f"加害人赔偿能力：{oc.get_offender_ability_display()}。{oc.summary}") if oc else "本案未关联原案件。",
        "harm_paragraphs": harm or ["（未登记）"],
        "checks": checks,
        "amount_basis": str(extra.get("amount_basis", "")),
    }


def _approval_form(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    opinion = case.opinions.select_related("submitted_by").get(pk=int(subject.split(":")[1]))
    decided = case.decision and case.decided_by is not None
    approval = ""
    if decided:
        approval = (f"同意给予国家司法救助，救助金额人民币{yuan(case.decided_amount)}。"
                    if case.decision == AidCase.Decision.GRANT and case.decided_amount else "不予救助。")
        approval += case.decision_reasons
    approver = case.decided_by
    return {
        **_opinion_fields(case, opinion),
        "case_summary": " ".join(paragraphs(case.clue_summary) + paragraphs(case.harm_summary)) or BLANK,
        "aid_reasons": " ".join(paragraphs(case.hardship_summary) + paragraphs(opinion.reasoning)) or BLANK,
        "approval_text": approval or BLANK,
        "approver_name": (approver.full_name or approver.username) if decided and approver else BLANK,
        "approval_date": cn_date(case.decided_on) if decided else BLANK_DATE,
    }


def _payment_method(case: AidCase, extra: dict[str, Any]) -> str:
    method = extra.get("payment_method") or case.payment_method or AidCase.PaymentMethod.LUMP_SUM
    if method not in PAYMENT_METHODS:
        raise CaseActionError("发放方式不正确。")
    return PAYMENT_METHODS[method]


def _grant_decision(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    assert case.decided_amount is not None
    facts = paragraphs(case.harm_summary) + paragraphs(case.hardship_summary) or paragraphs(case.clue_summary)
    joint = str(extra.get("joint_aid", "")).strip()
    return {
        "facts_paragraphs": facts or ["申请人因案件遭受损害，生活困难，未能通过诉讼获得有效赔偿。"],
        "reasons_paragraphs": paragraphs(case.decision_reasons),
        "category_text": category_text(case.category),
        "amount": yuan(case.decided_amount),
        "amount_upper": rmb_upper(case.decided_amount),
        "payment_method_text": _payment_method(case, extra),
        "joint_aid_text": joint,
    }


def _refusal_decision(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    grounds = [ground_text(g) for g in case.refusal_grounds] or [
        f"申请人不符合{RULES}规定的国家司法救助条件"]
    return {
        "grounds": [g + "。" for g in grounds],
        "reasons_paragraphs": paragraphs(case.decision_reasons),
        "other_help": str(extra.get("other_help", "")).strip() or DEFAULT_OTHER_HELP,
    }


def _service_receipt(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    from jiuzhu.documents.models import IssuedDocument

    served = IssuedDocument.objects.get(pk=int(subject.split(":")[1]), case=case)
    record = served.services.select_related("recorded_by").order_by("-served_on", "-pk").first()
    fields: dict[str, Any] = {
        "served_title": served.get_kind_display(), "served_number": served.number or "（无文号）",
        "recipient": case.applicant.name if case.applicant else BLANK, "service_method": BLANK,
        "service_place": str(extra.get("service_place", "")) or BLANK, "served_date": BLANK_DATE,
        "signer_text": "", "signer_id_number": "", "server_name": BLANK, "service_note": "",
    }
    if record is not None:
        fields.update({
            "recipient": record.recipient, "service_method": record.get_method_display(),
            "served_date": cn_date(record.served_on),
            "signer_text": "，".join(x for x in [record.signer_name, record.signer_relationship] if x),
            "signer_id_number": record.signer_id_number,
            "server_name": record.recorded_by.full_name or record.recorded_by.username,
            "service_note": record.note,
        })
    return fields


def _payment_receipt(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    from jiuzhu.documents.models import IssuedDocument

    assert case.decided_amount is not None
    a = case.applicant
    decision = IssuedDocument.objects.filter(case=case, kind=Kind.GRANT_DECISION,
                                             status=IssuedDocument.Status.ISSUED).first()
    try:
        amount = Decimal(str(extra.get("amount") or (case.paid_amount or case.decided_amount)))
    except InvalidOperation as e:
        raise CaseActionError("本次领取金额不正确。") from e
    if amount <= 0 or amount > case.decided_amount:
        raise CaseActionError(f"本次领取金额应大于零且不超过决定金额{yuan(case.decided_amount)}。")
    return {
        "payee_name": a.name if a else BLANK,
        "payee_id_number": (a.id_number if a else "") or BLANK,
        "decision_number": decision.number if decision else BLANK,
        "amount": yuan(case.decided_amount),
        "amount_upper": rmb_upper(case.decided_amount),
        "instalment": int(subject.split(":")[1]),
        "payment_amount": yuan(amount),
        "payment_amount_upper": rmb_upper(amount),
        "payment_method_text": _payment_method(case, extra),
        "bank_name": (a.bank_name if a else "") or BLANK,
        "bank_account": (a.bank_account if a else "") or BLANK,
        "paid_date": cn_date(case.paid_on),
    }


def _entrustment_agreement(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    from jiuzhu.custody.models import EntrustmentAgreement
    from jiuzhu.documents.models import IssuedDocument

    a = EntrustmentAgreement.objects.select_related("custodian").get(pk=int(subject.split(":")[1]))
    decision = IssuedDocument.objects.filter(case=case, kind=Kind.GRANT_DECISION,
                                             status=IssuedDocument.Status.ISSUED).first()
    account: str = a.custodian.account  # type: ignore[assignment]
    return {
        "guardian_name": a.guardian_name, "custodian_name": a.custodian.name,
        "custodian_kind": a.custodian.get_kind_display(), "custodian_bank": a.custodian.bank_name,
        "custodian_account": account or BLANK, "decision_number": decision.number if decision else BLANK,
        "custody_amount": yuan(a.amount), "custody_amount_upper": rmb_upper(a.amount),
        "signed_date": cn_date(a.signed_on), "ends_date": cn_date(a.ends_on), "purposes": a.purposes,
        "release_schedule": a.release_schedule, "suspend_conditions": a.suspend_conditions,
    }


def _referral(case: AidCase, extra: dict[str, Any]) -> Any:
    from jiuzhu.support.models import Referral

    referral = Referral.objects.filter(case=case, pk=extra.get("referral") or 0).select_related("agency").first()
    _need(referral is not None, "请选择本案的一次转介移送。")
    return referral


def _subject_referral(case: AidCase, extra: dict[str, Any]) -> str:
    return f"referral:{_referral(case, extra).pk}"


def _referral_letter(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The letter carries only what the referral shares (support.views.partner_view): never the ID number."""
    from jiuzhu.support.views import partner_view

    referral = _referral(case, {"referral": int(subject.split(":")[1])})
    basis = referral.get_basis_display() + (f"（{referral.basis_note}）" if referral.basis_note else "")
    return {
        "agency_name": referral.agency.name, "referral_measures": referral.measure_labels(),
        "referral_basis": basis, "referral_situation": referral.situation, "referral_due": cn_date(referral.due_on),
        "referral_shared": [f"{label}：{value}" for label, value in partner_view(referral)["shown"]] or ["（未提供）"],
    }


H, A = Capability.HANDLE_CASES, Capability.APPROVE
SPECS: dict[str, KindSpec] = {
    s.kind: s
    for s in [
        KindSpec(Kind.NOTICE, "国家司法救助告知书", _subject_notice, _notice,
                 frozenset({H, Capability.RAISE_CLUES}), servable=True, extra_fields=("manner",)),
        KindSpec(Kind.ORAL_RECORD, "国家司法救助口头申请笔录", _subject_oral_record, _oral_record,
                 extra_fields=("materials_text",)),
        KindSpec(Kind.MATERIALS_LIST, "国家司法救助申请材料收取清单", _subject_materials_list, _materials_list,
                 extra_fields=("occasion",)),
        KindSpec(Kind.SUPPLEMENT_NOTICE, "补正材料通知书", _subject_supplement_notice, _supplement_notice,
                 servable=True),
        KindSpec(Kind.ACCEPTANCE_NOTICE, "国家司法救助申请受理通知书", _subject_acceptance, lambda c, s, e: {},
                 servable=True),
        KindSpec(Kind.REVIEW_REPORT, "国家司法救助案件审查报告", _subject_opinion, _review_report,
                 extra_fields=("amount_basis",)),
        KindSpec(Kind.APPROVAL_FORM, "国家司法救助审批表", _subject_opinion, _approval_form, frozenset({H, A})),
        KindSpec(Kind.GRANT_DECISION, "国家司法救助决定书", _subject_grant, _grant_decision, frozenset({H, A}),
                 servable=True, extra_fields=("payment_method", "joint_aid")),
        KindSpec(Kind.REFUSAL_DECISION, "不予国家司法救助决定书", _subject_refusal, _refusal_decision,
                 frozenset({H, A}), servable=True, extra_fields=("other_help",)),
        KindSpec(Kind.SERVICE_RECEIPT, "送达回证", _subject_service_receipt, _service_receipt,
                 extra_fields=("document", "service_place")),
        KindSpec(Kind.REFERRAL_LETTER, "转介移送函", _subject_referral, _referral_letter),
        KindSpec(Kind.PAYMENT_RECEIPT, "国家司法救助金领取凭证", _subject_payment_receipt, _payment_receipt,
                 frozenset({H, Capability.FINANCE}), extra_fields=("instalment", "amount", "payment_method")),
        KindSpec(Kind.ENTRUSTMENT_AGREEMENT, "国家司法救助金代管委托协议", _subject_entrustment,
                 _entrustment_agreement),
    ]
}

# Placeholders an administrator may use; the admin rejects a template that uses any other name.
FIELDS: dict[str, str] = {
    "title": "文书标题", "org_name": "制发检察院名称", "number": "文号（无文号的文书为空）",
    "correction_mark": "更正标记（更正版本为“（更正）”）", "correction_note": "更正说明（更正版本才有）",
    "version": "版本号", "date": "制作日期（2026年3月5日）", "case_number": "救助案件编号",
    "applicant_name": "申请人姓名", "applicant_sex": "性别", "applicant_birth": "出生日期",
    "applicant_ethnicity": "民族", "applicant_id_number": "身份证号码", "applicant_address": "住址",
    "applicant_phone": "联系电话", "applicant_identity": "申请人身份事项（姓名、性别、出生日期、民族、身份证号码、住址）",
    "original_case_number": "原案件案号", "original_case_desc": "原案件（案名及案号）", "charge": "案由/罪名",
    "handler_name": "承办检察官", "contact_phone": "联系电话（承办人）", "applied_date": "申请日期",
    "accepted_date": "受理日期", "decided_date": "决定日期",
    "notified_name": "被告知人", "manner": "告知方式", "categories": "救助情形列表（循环）",
    "materials_required": "应提交材料列表（循环）", "supplement_days": "补正期限（日）",
    "record_date": "笔录时间", "record_place": "笔录地点", "recorder_name": "记录人",
    "statement_paragraphs": "申请人陈述（段落循环）", "materials_text": "提交材料说明",
    "items": "材料清单行（循环：no、name、copies、pages、form、note）", "received_date": "收取日期",
    "missing_items": "需补正材料（循环）", "request_date": "通知补正日期", "supplement_due": "补正截止日期",
    "source_text": "案件来源及受理情况", "original_case_text": "原案件情况", "harm_paragraphs": "损害及生活困难情况（段落循环）",
    "checks": "不予救助情形审查行（循环：no、ground、result、note）", "amount_basis": "金额计算依据",
    "recommendation": "审查意见", "reasoning_paragraphs": "审查理由（段落循环）", "category_text": "救助情形",
    "amount": "救助金额（12,000.00元）", "amount_upper": "救助金额大写（壹万贰仟元整）", "amount_text": "拟救助金额说明",
    "opinion_author": "承办检察官（审查意见）", "opinion_date": "审查意见日期",
    "case_summary": "简要案情", "aid_reasons": "救助理由", "approval_text": "审批意见", "approver_name": "审批人",
    "approval_date": "审批日期",
    "facts_paragraphs": "经审查查明的事实（段落循环）", "reasons_paragraphs": "决定理由（段落循环）",
    "payment_method_text": "发放方式", "joint_aid_text": "联合救助说明（无则为空）",
    "grounds": "不予救助依据（循环）", "other_help": "其他帮扶建议及说明",
    "served_title": "送达文书名称", "served_number": "送达文书文号", "recipient": "受送达人",
    "service_method": "送达方式", "service_place": "送达地点", "served_date": "送达日期", "signer_text": "代收人及关系",
    "signer_id_number": "代收人身份证号码", "server_name": "送达人", "service_note": "备注",
    "payee_name": "领取人", "payee_id_number": "领取人身份证号码", "decision_number": "救助决定书文号",
    "instalment": "期数", "payment_amount": "本次领取金额", "payment_amount_upper": "本次领取金额大写",
    "bank_name": "开户银行", "bank_account": "银行账号", "paid_date": "发放日期",
    "guardian_name": "委托人（监护人）", "custodian_name": "代管机构", "custodian_kind": "代管机构类型",
    "custodian_bank": "代管账户开户银行", "custodian_account": "代管账户账号", "custody_amount": "代管金额",
    "custody_amount_upper": "代管金额大写", "signed_date": "协议签订日期", "ends_date": "代管期限届满日期",
    "purposes": "资金用途", "release_schedule": "支取计划", "suspend_conditions": "暂停或变更支取的情形",
    "agency_name": "协作单位名称", "referral_measures": "请求帮扶事项（循环）", "referral_basis": "移送依据",
    "referral_shared": "提供的个人信息（循环，仅移送时选定的项目）", "referral_situation": "情况说明",
    "referral_due": "反馈期限",
}


# What each kind's template may use (documents.sandbox.Policy): the fields every document has, the
# kind's own fields, which of them are lists (`{% for %}`) and the keys of a list's rows. A test
# checks these against what build_context really returns for every kind.
COMMON_FIELDS = frozenset({
    "title", "number", "version", "date", "correction_mark", "correction_note",
    "org_name", "case_number", "applicant_name", "applicant_sex", "applicant_birth", "applicant_ethnicity",
    "applicant_id_number", "applicant_address", "applicant_phone", "applicant_identity", "original_case_number",
    "original_case_desc", "charge", "handler_name", "contact_phone", "applied_date", "accepted_date",
    "decided_date",
})
_OPINION_FIELDS = ("recommendation", "reasoning_paragraphs", "category_text", "amount", "amount_upper", "amount_text",
                   "opinion_author", "opinion_date")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.NOTICE: ("notified_name", "manner", "categories", "materials_required", "supplement_days"),
    Kind.ORAL_RECORD: ("record_date", "record_place", "recorder_name", "statement_paragraphs", "materials_text"),
    Kind.MATERIALS_LIST: ("items", "received_date"),
    Kind.SUPPLEMENT_NOTICE: ("missing_items", "request_date", "supplement_days", "supplement_due"),
    Kind.ACCEPTANCE_NOTICE: (),
    Kind.REVIEW_REPORT: (*_OPINION_FIELDS, "source_text", "original_case_text", "harm_paragraphs", "checks",
                         "amount_basis"),
    Kind.APPROVAL_FORM: (*_OPINION_FIELDS, "case_summary", "aid_reasons", "approval_text", "approver_name",
                         "approval_date"),
    Kind.GRANT_DECISION: ("facts_paragraphs", "reasons_paragraphs", "category_text", "amount", "amount_upper",
                          "payment_method_text", "joint_aid_text"),
    Kind.REFUSAL_DECISION: ("grounds", "reasons_paragraphs", "other_help"),
    Kind.SERVICE_RECEIPT: ("served_title", "served_number", "recipient", "service_method", "service_place",
                           "served_date", "signer_text", "signer_id_number", "server_name", "service_note"),
    Kind.REFERRAL_LETTER: ("agency_name", "referral_measures", "referral_basis", "referral_situation", "referral_due",
                           "referral_shared"),
    Kind.PAYMENT_RECEIPT: ("payee_name", "payee_id_number", "decision_number", "amount", "amount_upper", "instalment",
                           "payment_amount", "payment_amount_upper", "payment_method_text", "bank_name",
                           "bank_account", "paid_date"),
    Kind.ENTRUSTMENT_AGREEMENT: ("guardian_name", "custodian_name", "custodian_kind", "custodian_bank",
                                 "custodian_account", "decision_number", "custody_amount", "custody_amount_upper",
                                 "signed_date", "ends_date", "purposes", "release_schedule", "suspend_conditions"),
}
LIST_FIELDS: dict[str, frozenset[str]] = {
    "items": frozenset({"no", "name", "copies", "pages", "form", "note"}),
    "checks": frozenset({"no", "ground", "result", "note"}),
    **{name: frozenset() for name in (
        "categories", "materials_required", "statement_paragraphs", "missing_items", "harm_paragraphs",
        "reasoning_paragraphs", "facts_paragraphs", "reasons_paragraphs", "grounds", "referral_measures",
        "referral_shared")},
}


def template_policy(kind: str) -> Policy:
    """Return what a template of KIND may use (names of its fields, its lists and their rows' keys)."""
    fields = COMMON_FIELDS | set(KIND_FIELDS[kind])
    return Policy(fields=frozenset(fields), lists={k: v for k, v in LIST_FIELDS.items() if k in fields})


def build_context(case: AidCase, kind: str, *, subject: str, extra: dict[str, Any], org: Organisation,
                  number: str, version: int, issued_on: dt.date, correction_note: str = "") -> dict[str, Any]:
    """Return every field of KIND's document for CASE."""
    spec = SPECS[kind]
    ctx = common(case, org)
    ctx.update(spec.build(case, subject, extra))
    ctx.update({
        "title": spec.title, "number": number, "version": version, "date": cn_date(issued_on),
        "correction_mark": "（更正）" if version > 1 else "", "correction_note": correction_note,
    })
    return ctx


def snapshot(ctx: dict[str, Any]) -> dict[str, Any]:
    """Return CTX as the database may keep it: identifiers masked, composed identity lines dropped."""
    out: dict[str, Any] = {}
    for key, value in ctx.items():
        if key in SENSITIVE and isinstance(value, str) and value not in (BLANK, ""):
            out[key] = SENSITIVE[key](value)
        elif key in SENSITIVE_IN_TEXT:
            out[key] = "（见文书）"
        else:
            out[key] = value
    return out
