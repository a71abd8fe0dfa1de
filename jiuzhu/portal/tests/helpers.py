"""Shared helpers of the portal tests: logging in by SMS code and filling a whole application."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.notifications.sms import MemoryBackend

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
APPLICANT_ID = "540528199001011239"  # invented, valid check digit


def pdf(name: str = "诊断证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "身份证.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def last_code(phone: str) -> str:
    for to, text in reversed(MemoryBackend.outbox):
        if to == phone and (m := re.search(r"(?:验证码是|ར་སྤྲོད་ཨང་གྲངས་ནི་ )(\d{6})", text)):
            return m.group(1)
    raise AssertionError(f"no code sent to {phone}")


def login(client: Any, phone: str) -> None:
    r = client.post("/apply/login/", {"phone": phone, "send": "1"})
    assert r.status_code == 200, r.content.decode()
    r = client.post("/apply/login/", {"phone": phone, "code": last_code(phone), "verify": "1"})
    assert r.status_code == 302, r.content.decode()


ANSWERS: dict[str, dict[str, Any]] = {
    "applicant": {"capacity": "self", "name": "次仁卓玛", "id_number": APPLICANT_ID, "relationship": ""},
    "victim": {"same_as_applicant": "on", "victim_condition": "injured"},
    "case": {"org": "540528", "original_case_number": "加检刑诉〔2026〕12号", "charge": "故意伤害",
             "what_happened": "2026年3月被人打伤，加害人无力赔偿。"},
    "harm": {"harm": "左腿骨折，住院两个月。", "medical_costs": "32000", "family": "一家四口，靠务农为生。",
             "household_size": "4", "monthly_income": "1500"},
    "received": {"compensation_yuan": "0", "other_aid": ""},
    "bank": {"address": "加查县安绕镇", "account_holder": "次仁卓玛", "bank_name": "中国农业银行加查县支行",
             "bank_account": "6228480123456789012"},
}


def fill_application(client: Any, answers: dict[str, dict[str, Any]] | None = None, files: int = 2) -> int:
    """Start a new application and fill every step; return its pk (still a draft)."""
    r = client.post("/apply/mine/")
    assert r.status_code == 302
    pk = int(r["Location"].split("/")[3])
    for step, data in (answers or ANSWERS).items():
        r = client.post(f"/apply/a/{pk}/{step}/", {**data, "next": "1"})
        assert r.status_code == 302, (step, r.content.decode()[:3000])
    uploads = [("identity", png()), ("harm", pdf())][:files]
    for kind, f in uploads:
        r = client.post(f"/apply/a/{pk}/materials/", {"kind": kind, "file": f, "upload": "1"})
        assert r.status_code == 302, r.content.decode()[:3000]
    r = client.post(f"/apply/a/{pk}/materials/", {"next": "1"})
    assert r.status_code == 302
    return pk
