"""The intake family: the notice of the right to apply, the oral application record, the materials list,
the supplement notice and the acceptance notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiuzhu.cases.models import (
    AidCase,
    Attachment,
    Category,
    Deadline,
    Record,
)
from jiuzhu.documents.context.common import (
    BLANK,
    ITEM_NUMERALS,
    MANNERS,
    MATERIALS_REQUIRED,
    _label,
    _latest_event,
    _need,
    cn_date,
    paragraphs,
)
from jiuzhu.orgs.policy import get_setting
from jiuzhu.people.interpreters import interpreter_text


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
        "interpreter_text": interpreter_text(record),
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
