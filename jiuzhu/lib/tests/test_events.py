"""The domain-event dispatcher: subscribers listed in one table, run in order, inside the caller's
transaction; a subscriber's error undoes the whole step."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from jiuzhu.cases.events import AdvanceApproved, CaseClosing, FundsArrivalReported, GrantDecided, Refused
from jiuzhu.funds.events import CustodianPaymentPaid
from jiuzhu.lib import events
from jiuzhu.orgs.models import Organisation

CALLS: list[str] = []


@dataclass(frozen=True)
class Happened(events.Event):
    what: str


def first(event: Happened) -> None:
    CALLS.append(f"first:{event.what}")


def second(event: Happened) -> None:
    CALLS.append(f"second:{event.what}")
    Organisation.objects.create(name="事件测试院", code="999001", path="/999001/")
    if event.what == "refuse":
        raise ValueError("refused by a subscriber")


TABLE = {Happened: [first, second]}


@pytest.fixture
def table(settings):
    settings.JIUZHU_SUBSCRIBERS = "jiuzhu.lib.tests.test_events.TABLE"
    events.subscribers.cache_clear()
    CALLS.clear()
    yield
    events.subscribers.cache_clear()


@pytest.mark.django_db
def test_subscribers_run_in_their_listed_order_inside_the_transaction(table) -> None:
    with transaction.atomic():
        events.publish(Happened("grant"))
    assert CALLS == ["first:grant", "second:grant"]
    assert Organisation.objects.filter(code="999001").exists()


@pytest.mark.django_db
def test_a_subscriber_error_rolls_the_whole_step_back(table) -> None:
    with pytest.raises(ValueError), transaction.atomic():
        Organisation.objects.create(name="调用方", code="999002", path="/999002/")
        events.publish(Happened("refuse"))
    assert CALLS == ["first:refuse", "second:refuse"]
    assert not Organisation.objects.filter(code__in=["999001", "999002"]).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a plain flush would re-create the content types under new ids
def test_publishing_outside_a_transaction_is_refused(table) -> None:
    with pytest.raises(events.NotInTransaction):
        events.publish(Happened("grant"))
    assert CALLS == []


def test_an_event_nobody_subscribes_to_runs_nothing(table) -> None:
    @dataclass(frozen=True)
    class Unheard(events.Event):
        pass

    assert events.subscribers().get(Unheard) is None


def test_a_bad_table_is_refused(settings) -> None:
    settings.JIUZHU_SUBSCRIBERS = "jiuzhu.lib.tests.test_events.BAD"
    events.subscribers.cache_clear()
    try:
        with pytest.raises(TypeError):
            events.subscribers()
    finally:
        events.subscribers.cache_clear()


BAD = {str: [first]}


def test_the_project_table_subscribes_the_money_to_every_case_event() -> None:
    events.subscribers.cache_clear()
    table = events.subscribers()
    for kind in (GrantDecided, Refused, AdvanceApproved, FundsArrivalReported, CaseClosing, CustodianPaymentPaid):
        assert table[kind], kind.__name__
    assert [h.__module__ for h in table[GrantDecided]] == ["jiuzhu.funds.actions.commitments"]
    assert [h.__module__ for h in table[CustodianPaymentPaid]] == ["jiuzhu.custody.actions"]
