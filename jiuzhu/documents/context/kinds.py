"""The kinds of document: each one's spec (SPECS), the template fields an administrator may use (FIELDS,
KIND_FIELDS) and the context and snapshot an issued document is made from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.accounts.models import Capability
from jiuzhu.cases.models import (
    AidCase,
)
from jiuzhu.documents.context.common import (
    BLANK,
    BLANK_DATE,
    SENSITIVE,
    SENSITIVE_IN_TEXT,
    KindSpec,
    _need,
    cn_date,
    common,
    identity_line,
)
from jiuzhu.documents.context.decision import (
    _grant_decision,
    _refusal_decision,
    _subject_grant,
    _subject_refusal,
)
from jiuzhu.documents.context.intake import (
    _materials_list,
    _notice,
    _oral_record,
    _subject_acceptance,
    _subject_materials_list,
    _subject_notice,
    _subject_oral_record,
    _subject_supplement_notice,
    _supplement_notice,
)
from jiuzhu.documents.context.money import (
    _entrustment_agreement,
    _payment_receipt,
    _subject_entrustment,
    _subject_payment_receipt,
)
from jiuzhu.documents.context.referral import _referral_letter, _subject_referral
from jiuzhu.documents.context.review import (
    _approval_form,
    _review_report,
    _subject_approval,
    _subject_opinion,
)
from jiuzhu.documents.models import Kind
from jiuzhu.documents.sandbox import Policy
from jiuzhu.orgs.models import Organisation
from jiuzhu.people.interpreters import interpreter_text


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


def _service_receipt(case: AidCase, subject: str, extra: dict[str, Any]) -> dict[str, Any]:
    from jiuzhu.documents.models import IssuedDocument

    served = IssuedDocument.objects.get(pk=int(subject.split(":")[1]), case=case)
    record = served.services.select_related("recorded_by").order_by("-served_on", "-pk").first()
    fields: dict[str, Any] = {
        "served_title": served.get_kind_display(), "served_number": served.number or "（无文号）",
        "recipient": case.applicant.name if case.applicant else BLANK, "service_method": BLANK,
        "service_place": str(extra.get("service_place", "")) or BLANK, "served_date": BLANK_DATE,
        "signer_text": "", "signer_id_number": "", "server_name": BLANK, "service_note": "",
        "interpreter_text": "",
    }
    if record is not None:
        fields.update({
            "recipient": record.recipient, "service_method": record.get_method_display(),
            "served_date": cn_date(record.served_on),
            "signer_text": "，".join(x for x in [record.signer_name, record.signer_relationship] if x),
            "signer_id_number": record.signer_id_number,
            "server_name": record.recorded_by.full_name or record.recorded_by.username,
            "service_note": record.note, "interpreter_text": interpreter_text(record),
        })
    return fields


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
        KindSpec(Kind.APPROVAL_FORM, "国家司法救助审批表", _subject_approval, _approval_form, frozenset({H, A})),
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
    "case_summary": "简要案情", "aid_reasons": "救助理由", "approval_steps": "审批环节（循环：role 环节、opinion 意见、signer 签名、date 日期、meeting 会议情况）",
    "approval_text": "审批意见（最后环节）", "approver_name": "审批人",
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
    "interpreter_text": "翻译人员（姓名、语言、脱敏身份证号码；无翻译则为空）",
}



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
    Kind.ORAL_RECORD: ("record_date", "record_place", "recorder_name", "statement_paragraphs", "materials_text",
                       "interpreter_text"),
    Kind.MATERIALS_LIST: ("items", "received_date"),
    Kind.SUPPLEMENT_NOTICE: ("missing_items", "request_date", "supplement_days", "supplement_due"),
    Kind.ACCEPTANCE_NOTICE: (),
    Kind.REVIEW_REPORT: (*_OPINION_FIELDS, "source_text", "original_case_text", "harm_paragraphs", "checks",
                         "amount_basis"),
    Kind.APPROVAL_FORM: (*_OPINION_FIELDS, "case_summary", "aid_reasons", "approval_steps", "approval_text", "approver_name",
                         "approval_date"),
    Kind.GRANT_DECISION: ("facts_paragraphs", "reasons_paragraphs", "category_text", "amount", "amount_upper",
                          "payment_method_text", "joint_aid_text"),
    Kind.REFUSAL_DECISION: ("grounds", "reasons_paragraphs", "other_help"),
    Kind.SERVICE_RECEIPT: ("served_title", "served_number", "recipient", "service_method", "service_place",
                           "served_date", "signer_text", "signer_id_number", "server_name", "service_note",
                           "interpreter_text"),
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
    "approval_steps": frozenset({"role", "opinion", "signer", "date", "meeting"}),
    **{name: frozenset() for name in (
        "categories", "materials_required", "statement_paragraphs", "missing_items", "harm_paragraphs",
        "reasoning_paragraphs", "facts_paragraphs", "reasons_paragraphs", "grounds", "referral_measures",
        "referral_shared")},
}



def template_policy(kind: str) -> Policy:
    """Return what a template of KIND may use (names of its fields, its lists and their rows' keys)."""
    fields = COMMON_FIELDS | set(KIND_FIELDS[kind])
    return Policy(fields=frozenset(fields), lists={k: v for k, v in LIST_FIELDS.items() if k in fields})



# Internal papers read by approvers (审批表, 审查报告): the applicant is identified, the ID number and phone
# printed masked (people.idcard), as on screen; approving needs the identity, not the full numbers.
MASKED_ON_PAPER = frozenset({Kind.APPROVAL_FORM, Kind.REVIEW_REPORT})
# Papers that leave the case file for a partner (转介移送函): the letter shares only the referral's chosen
# fields; the common identity fields are masked too, and a minor's name (未成年人保护法第一百零三条).
LEAVES_THE_FILE = frozenset({Kind.REFERRAL_LETTER})


def _masked(case: AidCase, ctx: dict[str, Any], kind: str) -> dict[str, Any]:
    """Return CTX with the applicant's identifiers masked as KIND prints them."""
    if kind not in MASKED_ON_PAPER | LEAVES_THE_FILE or case.applicant is None:
        return ctx
    a = case.applicant
    out = dict(ctx)
    for key in ("applicant_id_number", "applicant_phone", *(("applicant_address",) if kind in LEAVES_THE_FILE
                                                           else ())):
        if out[key] != BLANK:
            out[key] = SENSITIVE[key](out[key])
    name = a.display_name if kind in LEAVES_THE_FILE else a.name
    out["applicant_name"] = name or BLANK
    out["applicant_identity"] = identity_line(
        name, a.get_sex_display() if a.sex else "", cn_date(a.birth_date, blank="") if a.birth_date else "",
        a.ethnicity, out["applicant_id_number"] if out["applicant_id_number"] != BLANK else "",
        out["applicant_address"] if out["applicant_address"] != BLANK else "") or BLANK
    return out


def build_context(case: AidCase, kind: str, *, subject: str, extra: dict[str, Any], org: Organisation,
                  number: str, version: int, issued_on: dt.date, correction_note: str = "") -> dict[str, Any]:
    """Return every field of KIND's document for CASE."""
    spec = SPECS[kind]
    ctx = _masked(case, common(case, org), kind)
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
