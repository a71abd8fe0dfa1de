"""What every document shares: blanks, dates and paragraphs, the category and ground texts, the kind's spec and
the fields common to all (the procuratorate, the applicant, the original case)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jiuzhu.accounts.models import Capability
from jiuzhu.cases.actions import CaseActionError
from jiuzhu.cases.models import (
    AidCase,
    CaseEvent,
    Category,
    RefusalGround,
    ReviewOpinion,
)
from jiuzhu.orgs.models import Organisation
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






def identity_line(name: str, sex: str, birth: str, ethnicity: str, id_number: str, address: str) -> str:
    """The applicant's identity as documents state it (姓名，性别，…出生，民族，身份证号码…，住…)."""
    return "，".join(x for x in [name, sex, f"{birth}出生" if birth else "", ethnicity,
                                 f"身份证号码{id_number}" if id_number else "", f"住{address}" if address else ""]
                    if x)


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
    identity = identity_line(a.name if a else "", sex, birth, a.ethnicity if a else "", id_number, address)
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



def _source_text(case: AidCase) -> str:
    parts = [f"本案线索来源于{case.get_channel_display()}"
             + (f"（{case.source_detail}）" if case.source_detail else "") + f"，线索日期{cn_date(case.raised_on)}。"]
    if case.applied_on:
        parts.append(f"申请人于{cn_date(case.applied_on)}以{case.get_application_form_display() or '书面申请'}"
                     "方式提出国家司法救助申请")
        parts.append(f"，本院于{cn_date(case.accepted_on)}受理。" if case.accepted_on else "。")
    return "".join(parts)
