"""What every case step shares: the domain errors, the authority check, the compare-and-set transition (the only place
that changes a case's status), the event row and the case number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from jiuzhu.accounts.models import User
from jiuzhu.cases.access import may_take
from jiuzhu.cases.lifecycle import MOVES, OPEN
from jiuzhu.cases.models import (
    AidCase,
    CaseEvent,
    CaseNumberSequence,
    Status,
)
from jiuzhu.lib import clock, dates
from jiuzhu.orgs.models import Organisation


class CaseActionError(ValidationError):
    """A domain rule refused the action; the message is shown to the user as it is."""



class InvalidTransition(CaseActionError):
    pass



class ConcurrentChange(CaseActionError):
    pass



class CasePermissionError(PermissionDenied):
    pass



def _check_authority(case: AidCase, move_name: str, acting_user: User | None) -> None:
    move = MOVES[move_name]
    if acting_user is None:  # the system itself (the background worker)
        return
    if not may_take(acting_user, case, move_name):
        raise CasePermissionError(f"您无权在本案执行“{move.label}”。")



def _check_open(case: AidCase, move_name: str, acting_user: User | None) -> None:
    """Authority, plus: a closed, archived or abandoned case is not changed any more."""
    _check_authority(case, move_name, acting_user)
    case.refresh_from_db(fields=["status"])
    if case.status not in OPEN:
        raise InvalidTransition(f"案件当前状态为“{Status(case.status).label}”，不能再修改。")



def _on(on: dt.date | None, *, not_before: dt.date | None = None, what: str = "日期", **order: Any) -> dt.date:
    """The date of a step: today when not given; the one date policy (lib/dates.py) and its order."""
    return dates.check(on, what=what, not_before=not_before, error=CaseActionError, **order)



def log_event(case: AidCase, action: str, *, acting_user: User | None, kind: str = CaseEvent.Kind.RECORD,
           old: str = "", new: str = "", note: str = "", **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, action=action, old_status=old, new_status=new,
                                    actor=acting_user, at=clock.now(), note=note, data=_jsonable(data))



def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, (dt.date, Decimal)):
            out[k] = str(v)
        elif isinstance(v, (list, tuple)):
            out[k] = [str(x) if isinstance(x, (dt.date, Decimal)) else x for x in v]
        else:
            out[k] = v
    return out



def _transition(case: AidCase, move_name: str, new: str, *, acting_user: User | None, note: str = "",
                fields: dict[str, Any] | None = None, **data: Any) -> None:
    """Move CASE to NEW by the named action; the only place that changes a case's status."""
    move = MOVES[move_name]
    _check_authority(case, move_name, acting_user)
    old = case.status
    if old not in move.sources or new not in move.targets:
        raise InvalidTransition(
            f"案件当前状态为“{Status(old).label}”，不能执行“{move.label}”。")
    fields = dict(fields or {})
    updated = AidCase.objects.filter(pk=case.pk, status=old).update(status=new, updated_at=clock.now(), **fields)
    if updated != 1:
        raise ConcurrentChange("该案件刚刚已被他人处理，请刷新页面后查看最新状态。")
    case.status = new
    for k, v in fields.items():
        setattr(case, k, v)
    log_event(case, move_name, acting_user=acting_user, kind=CaseEvent.Kind.TRANSITION, old=old, new=new,
           note=note, **data)



def _next_number(org: Organisation, year: int) -> str:
    seq, _ = CaseNumberSequence.objects.select_for_update().get_or_create(org=org, year=year)
    CaseNumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    seq.refresh_from_db(fields=["last"])
    return f"{org.code}-{year}-{seq.last:04d}"



def _lock(case: AidCase, move_name: str, acting_user: User | None) -> AidCase:
    """Re-read CASE in place under a row lock, then check the move is allowed now and to this user.

    Checking first means bad input never gets a message about a step the case is not at.
    """
    case.refresh_from_db(from_queryset=AidCase.objects.select_for_update())
    _check_authority(case, move_name, acting_user)
    move = MOVES[move_name]
    if case.status not in move.sources:
        raise InvalidTransition(f"案件当前状态为“{Status(case.status).label}”，不能执行“{move.label}”。")
    return case
