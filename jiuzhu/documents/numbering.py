"""文号: which kinds carry one, how it reads, and the gap-free sequence behind it.

Numbered (models.NUMBERED_KINDS): the notices and decisions the procuratorate sends out in its own
name — D1 告知书, D5 补正通知书, D6 受理通知书, D12 救助决定书, D13 不予救助决定书. Records
(D3 笔录), lists and receipts (D4, D14, D15) and internal papers (D10 审查报告, D11 审批表) carry
the case number only: they are parts of the file, not outgoing documents.

Each kind has its own series per procuratorate and year (NumberSequence). `next_number` must run
inside the issuing transaction: it locks the sequence row, so a rolled-back issue gives its serial
back (no gap) and two issues can never get the same serial. On SQLite the project's
`transaction_mode: IMMEDIATE` takes the write lock when the transaction begins, which serialises
issuers the same way.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from jiuzhu.documents.models import NUMBERED_KINDS, IssuerCode, Kind, NumberPattern, NumberSequence
from jiuzhu.orgs.models import Organisation

DEFAULT_PATTERNS: dict[str, str] = {
    Kind.NOTICE: "{short}检控救告〔{year}〕{n}号",
    Kind.SUPPLEMENT_NOTICE: "{short}检控救补〔{year}〕{n}号",
    Kind.ACCEPTANCE_NOTICE: "{short}检控救受〔{year}〕{n}号",
    Kind.GRANT_DECISION: "{short}检控救决〔{year}〕{n}号",
    Kind.REFUSAL_DECISION: "{short}检控不救〔{year}〕{n}号",
    Kind.REFERRAL_LETTER: "{short}检控救转〔{year}〕{n}号",
}
PATTERN_FIELDS = frozenset({"short", "year", "n", "code"})

# 省级简称 by the first two digits of the division code: a provincial procuratorate's 代字.
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
    "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}
SUFFIX = "人民检察院"


def derive_issuer_code(org: Organisation) -> str:
    """Return the default 机关代字 of ORG: the province's 简称, else the first character of its own place.

    山南市人民检察院 → 山; 山南市乃东区人民检察院 → 乃 (the parent's place is dropped first);
    加查县人民检察院 → 加; 西藏自治区人民检察院 → 藏.
    """
    code = org.code or ""
    if org.level == Organisation.Level.PROVINCE and code[:2] in PROVINCE_ABBREVIATIONS:
        return PROVINCE_ABBREVIATIONS[code[:2]]
    place = org.name.removesuffix(SUFFIX)
    parent = org.parent
    if parent is not None:
        parent_place = parent.name.removesuffix(SUFFIX)
        if place.startswith(parent_place) and len(place) > len(parent_place):
            place = place[len(parent_place):]
    return place[:1] or org.name[:1]


def issuer_code(org: Organisation) -> str:
    """Return ORG's 机关代字: its own IssuerCode row if an administrator set one, else the derived one."""
    row = IssuerCode.objects.filter(org=org).first()
    return row.code if row else derive_issuer_code(org)


def check_pattern(pattern: str) -> str:
    """Return PATTERN if it is a usable 文号 format (raise ValidationError in Chinese otherwise)."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as e:
        raise ValidationError("文号格式中的花括号不配对。") from e
    unknown = fields - PATTERN_FIELDS
    if unknown:
        raise ValidationError(f"文号格式中有未知的占位符：{'、'.join(sorted(unknown))}。")
    if "n" not in fields:
        raise ValidationError("文号格式须包含序号 {n}。")
    return pattern


def pattern_for(org: Organisation, kind: str) -> str:
    """Return the 文号 format for KIND at ORG: the nearest organisation's, else national, else built in."""
    ids = org.ancestor_ids()
    rows = {p.org_id: p.pattern for p in NumberPattern.objects.filter(kind=kind).filter(
        org_id__in=ids) | NumberPattern.objects.filter(kind=kind, org__isnull=True)}
    for org_id in [*reversed(ids), None]:
        if org_id in rows:
            return rows[org_id]
    return DEFAULT_PATTERNS[kind]


def format_number(org: Organisation, kind: str, year: int, n: int) -> str:
    """Return the 文号 of serial N of KIND in YEAR at ORG."""
    pattern = check_pattern(pattern_for(org, kind))
    return pattern.format(short=issuer_code(org), year=year, n=n, code=org.code or "")


@transaction.atomic(savepoint=False)
def next_number(org: Organisation, kind: str, year: int) -> tuple[int, str]:
    """Take the next serial of KIND in YEAR at ORG and return it with its 文号 (inside the issuing transaction)."""
    if kind not in NUMBERED_KINDS:
        raise ValueError(f"{kind} carries no number")
    seq, _ = NumberSequence.objects.select_for_update().get_or_create(org=org, year=year, kind=kind)
    NumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    seq.refresh_from_db(fields=["last"])
    return seq.last, format_number(org, kind, year, seq.last)
