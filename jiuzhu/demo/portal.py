"""The portal's part of the Shannan demo (2026): online applications, through the portal's own actions.

- one application submitted online to 加查 and waiting in its intake queue;
- one registered by 加查's handler, who asked for a missing document (the applicant has 30 days); this
  applicant applied in Tibetan (བོད་ཡིག): her SMS and the papers handed to her are bilingual (issue 16).
Neither is decided, so the seed's figures do not move.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.accounts.models import Role
from jiuzhu.demo.world import card_number
from jiuzhu.lib import clock
from jiuzhu.portal import actions
from jiuzhu.portal.models import OnlineApplication

_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _file(name: str, data: bytes, content_type: str) -> Any:
    f = SimpleUploadedFile(name, data, content_type=content_type)
    f.jiuzhu_content_type = content_type  # type: ignore[attr-defined]
    return f


def _apply(demo: Any, code: str, *, female: bool, charge: str, harm: str, family: str,
           language: str = "zh-hans") -> OnlineApplication:
    person = demo.person(code, female=female, on=clock.today())
    phone = person["phone"]
    from jiuzhu.portal.otp import phone_index

    app = actions.new_draft(phone=phone, phone_bidx=phone_index(phone), language=language)
    answers = {
        "applicant": {"capacity": "self", "name": person["person_name"], "id_number": person["id_number"],
                      "relationship": ""},
        "victim": {"same_as_applicant": True, "victim_name": "", "victim_id_number": "",
                   "victim_condition": "injured"},
        "case": {"org": code, "original_case_number": "", "charge": charge, "what_happened": harm},
        "harm": {"harm": harm, "medical_costs": "18600.00", "family": family, "household_size": 5,
                 "monthly_income": "1200.00"},
        "received": {"compensation_yuan": "0.00", "other_aid": "农村低保"},
        "bank": {"address": person["address"], "account_holder": person["person_name"],
                 "bank_name": "中国农业银行山南分行", "bank_account": card_number(f"6228481{demo.rng.randint(10**10, 10**11 - 1)}")},
    }
    for step, values in answers.items():
        app = actions.save_step(app, step, values)
    actions.add_file(app, kind="identity", f=_file("身份证正反面.png", _PNG, "image/png"))
    actions.add_file(app, kind="harm", f=_file("诊断证明书.pdf", _PDF, "application/pdf"))
    actions.save_step(app, "materials", {"count": 2})
    return actions.submit(app)


def load_portal(demo: Any) -> None:
    today = clock.today()
    with clock.travel(today - dt.timedelta(days=1)):
        _apply(demo, "540528", female=True, charge="故意伤害",
               harm="在村道上被人殴打致右臂骨折，住院治疗二十天。", family="家中五口人，丈夫外出务工，两个孩子上学。")
    with clock.travel(today - dt.timedelta(days=6)):
        app = _apply(demo, "540528", female=False, charge="交通肇事",
                     harm="被货车撞伤，腰椎骨折，肇事者逃逸未抓获。", family="独自抚养三个孩子，无固定收入。",
                     language="bo")
    with clock.travel(today - dt.timedelta(days=4)):
        actions.register(app, acting_user=demo.user("540528", Role.KONGSHEN), then="supplement",
                         missing="村（居）委会出具的家庭经济困难证明；医疗费用票据。")
