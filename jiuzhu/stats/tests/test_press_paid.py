"""The press paragraph says 发放 only of money actually paid out; decided but unpaid aid is 决定救助."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from jiuzhu.funds.models import Payment
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation
from jiuzhu.stats import press
from jiuzhu.stats.queries import compute, counting_cases, paid_in_scope

pytestmark = pytest.mark.django_db


def _press(*args: str) -> str:
    out = io.StringIO()
    call_command("press-release", *args, stdout=out)
    return out.getvalue()


def test_it_keeps_the_seeds_words_where_everything_was_paid(demo_loaded) -> None:
    text = _press("--from", "2018-01-01", "--to", "2022-12-31", "--org", "540500")
    assert "共办理司法救助案件46件46人，发放救助金84.8万元" in text
    assert "决定救助" not in text
    text = _press("--from", "2022-01-01", "--to", "2023-06-07", "--org", "540500",
                  "--compare-from", "2018-01-01", "--compare-to", "2021-12-31")
    assert "42件42人，发放救助金53.3万元，案件数量是前4年总和的10倍" in text
    assert "联合司法救助案件14件14人，发放救助金35.0万元" in text


def test_it_says_decided_and_paid_apart_for_the_current_year(demo_loaded) -> None:
    year = clock.today().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    org = Organisation.objects.get(code="540500")
    s = compute(org, start, end)
    # What the demo's finance staff really paid this year, counted from the payment rows themselves.
    paid = sum((p.amount for p in Payment.objects.filter(case__in=counting_cases(org, start, end),
                                                          status="paid")), Decimal(0))
    assert 0 < paid < s.amount  # the demo has decided aid not yet paid out
    assert paid_in_scope(org, start, end)[0] == paid
    text = _press("--from", start.isoformat(), "--to", end.isoformat(), "--org", "540500")
    assert f"决定救助金额{press.wan(s.amount)}，已发放{press.wan(paid)}" in text
    assert f"发放救助金{press.wan(s.amount)}" not in text
