"""One date policy for every date a person or a file gives Jiuzhu: forms, the API, imports, actions.

A date is refused, with a Chinese message, when it is
- before the earliest date (1 January of `settings.JIUZHU_EARLIEST_YEAR`, default 2000): no aid case,
  payment or ledger row of this system can be older (the national rules date from 2014, the demo's
  ledger history from 2018); a typo such as 0001-01-01 or 1900-01-01 once became a case number;
- after today, where the date records something that has happened (the default: `past=True`);
- more than `settings.JIUZHU_LATEST_YEARS_AHEAD` years ahead (default 30: a custody agreement for a
  new-born runs until they are 18), where a future date is allowed (a planned payment, a period end).

Order rules between two dates (meeting date ≤ decision date, planned payment ≥ decision date…) are
checked in the actions with `not_before` / `not_after`, so every write path applies them; a date that
must follow a whole sequence (the approval route: acceptance → opinion → each approval → meeting →
decision) with `order_problem`, which names the two events out of order.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from pydantic import AfterValidator

from jiuzhu.lib import clock

ISO = "%Y-%m-%d"


def earliest() -> dt.date:
    return dt.date(int(getattr(settings, "JIUZHU_EARLIEST_YEAR", 2000)), 1, 1)


def latest() -> dt.date:
    """The latest date allowed where a future date is (a plan, a period end)."""
    years = int(getattr(settings, "JIUZHU_LATEST_YEARS_AHEAD", 30))
    return dt.date(min(clock.today().year + years, 9999), 12, 31)


def parse_year(value: str) -> int | None:
    """Return the year in VALUE (four ASCII digits, 1–9999) or None: for query parameters and URLs."""
    value = (value or "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", value) or int(value) == 0:
        return None
    return int(value)


def budget_year_allowed(year: int) -> bool:
    """A fiscal year someone may open: from the earliest year to next year (budgets are drawn up ahead)."""
    return earliest().year <= year <= clock.today().year + 1


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def problem(day: dt.date, *, what: str = "日期", past: bool = True, not_before: dt.date | None = None,
            not_before_what: str = "", not_after: dt.date | None = None, not_after_what: str = "") -> str | None:
    """Return the Chinese message that refuses DAY, or None when DAY is allowed."""
    first = earliest()
    if day < first:
        return f"{what}不能早于{_cn(first)}。"
    if past and day > clock.today():
        return f"{what}不能晚于今天。"
    if not past and day > latest():
        return f"{what}不能晚于{_cn(latest())}。"
    if not_before is not None and day < not_before:
        return f"{what}不能早于{not_before_what or _cn(not_before)}" + (
            f"（{_cn(not_before)}）。" if not_before_what else "。")
    if not_after is not None and day > not_after:
        return f"{what}不能晚于{not_after_what or _cn(not_after)}" + (
            f"（{_cn(not_after)}）。" if not_after_what else "。")
    return None


def order_problem(events: list[tuple[str, dt.date | None]]) -> str | None:
    """Return the Chinese message refusing EVENTS (what, date) — listed in the order they must happen —
    when one is dated before an earlier one, else None. Unknown dates (None) are skipped; equal dates pass."""
    latest: tuple[str, dt.date] | None = None
    for what, day in events:
        if day is None:
            continue
        if latest is not None and day < latest[1]:
            return f"{what}（{_cn(day)}）不能早于{latest[0]}（{_cn(latest[1])}）。"
        if latest is None or day >= latest[1]:
            latest = (what, day)
    return None


def check(day: dt.date | None, *, what: str = "日期", past: bool = True, default_today: bool = True,
          error: type[Exception] = ValidationError, **order: Any) -> dt.date:
    """Return DAY (today when None and DEFAULT_TODAY), or raise ERROR with the Chinese message."""
    if day is None:
        if not default_today:
            raise error(f"请填写{what}。")
        day = clock.today()
    message = problem(day, what=what, past=past, **order)
    if message:
        raise error(message)
    return day


class DateInput(forms.DateInput):
    """`<input type=date>` takes only yyyy-mm-dd as its value, whatever the locale's format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format=format or ISO)


class DateField(forms.DateField):
    """The form field of every date: the policy above, Chinese messages, an ISO date widget.

    PAST=False for a date that may lie ahead (a planned payment, the end of a period or of a filter).
    """

    widget = DateInput

    def __init__(self, *args: Any, past: bool = True, what: str = "", **kwargs: Any) -> None:
        self.past, self.what = past, what
        kwargs.setdefault("error_messages", {"invalid": "请输入有效日期（年-月-日）。", "required": "请填写日期。"})
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            message = problem(value, what=self.what or str(self.label or "日期"), past=self.past)
            if message:
                raise ValidationError(message, code="date_policy")


def _api_check(past: bool) -> Any:
    def check_(value: dt.date) -> dt.date:
        message = problem(value, what="日期", past=past)
        if message:
            raise ValueError(message)
        return value
    return check_


# The API schemas' date types (pydantic): the same policy. ApiPastDate for an event, ApiDate for a period.
ApiPastDate = Annotated[dt.date, AfterValidator(_api_check(True))]
ApiDate = Annotated[dt.date, AfterValidator(_api_check(False))]
