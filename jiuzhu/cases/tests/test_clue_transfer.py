"""A case department's clue: the transfer to the complaint department within 5 working days (a setting)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiuzhu.calendar.workdays import add_working_days
from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, Channel, Deadline
from jiuzhu.lib import clock
from jiuzhu.orgs.models import OrgSetting

pytestmark = pytest.mark.django_db


def _clue(world, found_on: dt.date, on: dt.date, channel: str = Channel.CASE_DEPARTMENT) -> AidCase:  # type: ignore[no-untyped-def]
    with clock.travel(on):
        return actions.raise_clue(world.orgs["540528"], acting_user=world.user("540528", "case_prosecutor"),
                                  channel=channel, person_name="次仁", clue_summary="办案中发现被害人生活困难。",
                                  found_on=found_on, **{k: v for k, v in world.person().items() if k != "person_name"})


def test_it_records_a_transfer_in_time_as_a_deadline_met(world) -> None:
    found = dt.date(2026, 11, 2)
    case = _clue(world, found, add_working_days(found, 5))
    d = Deadline.objects.get(case=case, kind=Deadline.Kind.CLUE_TRANSFER)
    assert (d.starts_on, d.due_on, d.completed_on) == (found, add_working_days(found, 5), add_working_days(found, 5))
    assert not case.events.filter(action="clue_transfer_late").exists()
    case.refresh_from_db()
    assert case.next_due is None  # a finished deadline does not put the clue on the overdue list


def test_it_records_a_late_transfer_on_the_timeline(world) -> None:
    found = dt.date(2026, 11, 2)
    case = _clue(world, found, add_working_days(found, 6))
    d = Deadline.objects.get(case=case, kind=Deadline.Kind.CLUE_TRANSFER)
    assert d.completed_on > d.due_on
    assert "超过移送期限" in case.events.get(action="clue_transfer_late").note


def test_the_period_is_a_setting(world) -> None:
    OrgSetting.objects.create(org=world.orgs["540000"], key="deadline.clue_transfer_working_days", value=10)
    found = dt.date(2026, 11, 2)
    case = _clue(world, found, add_working_days(found, 8))
    assert Deadline.objects.get(case=case).due_on == add_working_days(found, 10)
    assert not case.events.filter(action="clue_transfer_late").exists()


def test_a_found_date_after_the_transfer_is_refused_and_nothing_is_written(world) -> None:
    with pytest.raises(actions.CaseActionError, match="发现日期不能晚于"):
        _clue(world, dt.date(2026, 11, 20), dt.date(2026, 11, 10))
    assert not AidCase.objects.exists()


def test_other_channels_record_no_transfer(world) -> None:
    case = _clue(world, dt.date(2026, 11, 2), dt.date(2026, 11, 3), channel=Channel.WALK_IN)
    assert not Deadline.objects.filter(case=case).exists()


def test_the_clue_form_takes_the_found_date(world, client) -> None:
    client.force_login(world.user("540528", "case_prosecutor"))
    person = world.person()
    r = client.post("/cases/new/", {
        "org": world.orgs["540528"].pk, "channel": Channel.CASE_DEPARTMENT, "person_name": person["person_name"],
        "offender_ability": "unknown", "clue_summary": "办案中发现。", "on": "2026-11-20", "found_on": "2026-11-02"})
    assert r.status_code == 302, r.content.decode()[:500]
    case = AidCase.objects.get()
    assert case.events.filter(action="clue_transfer_late").exists()
