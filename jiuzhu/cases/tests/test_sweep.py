"""The daily sweep run by the background worker: lapses, overdue reminders, calendar warnings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from jiuzhu.cases import actions
from jiuzhu.cases.models import Status
from jiuzhu.lib import clock
from jiuzhu.notifications.models import Notification
from jiuzhu.ops.tasks import daily_sweep, sweep

D = dt.date


def test_it_reminds_the_handler_and_department_head_of_an_overdue_step_once_a_day(world) -> None:
    with clock.travel(D(2025, 3, 3)):
        case = world.to("accepted")  # decision due Mon 17 Mar 2025
    with clock.travel(D(2025, 3, 18)):
        first = sweep()
        again = sweep()
    recipients = set(Notification.objects.filter(kind="overdue", case=case).values_list("recipient", flat=True))
    assert recipients == {world.user("540528", "kongshen").pk, world.user("540528", "dept_head").pk}
    assert first["reminded"] == 1 and again["reminded"] == 0
    text = Notification.objects.filter(case=case).earliest("pk").text
    assert "作出决定" in text and "2025年03月17日" in text
    with clock.travel(D(2025, 3, 19)):
        sweep()
    assert Notification.objects.filter(kind="overdue", case=case).count() == 4


def test_it_does_not_remind_on_a_holiday_or_before_the_deadline(world) -> None:
    with clock.travel(D(2025, 3, 3)):
        case = world.to("accepted")
    with clock.travel(D(2025, 3, 17)):
        sweep()  # the due day itself is not overdue
    with clock.travel(D(2025, 3, 22)):  # a Saturday
        sweep()
    assert not Notification.objects.filter(case=case).exists()


def test_it_lapses_applications_silent_for_more_than_30_days(world) -> None:
    with clock.travel(D(2025, 5, 6)):
        case = world.to("applied")
        actions.request_supplement(case, acting_user=world.user("540528", "kongshen"), missing="证明")
    with clock.travel(D(2025, 6, 5)):
        assert sweep()["abandoned"] == 0
    with clock.travel(D(2025, 6, 7)):  # a Saturday: lapsing does not wait for a working day
        assert sweep()["abandoned"] == 1
    case.refresh_from_db()
    assert case.status == Status.ABANDONED
    event = case.events.get(action="deem_abandoned")
    assert event.actor is None and "视为放弃" in event.note
    assert Notification.objects.filter(case=case, kind="lapsed").count() == 1


def test_it_warns_administrators_when_next_years_holidays_are_missing(world) -> None:
    with clock.travel(D(2026, 12, 1)):
        sweep()
        sweep()
    warnings = Notification.objects.filter(kind="calendar")
    assert set(warnings.values_list("recipient", flat=True)) == {world.user("540500", "admin").pk,
                                                                 world.user("540000", "admin").pk}
    assert "2027" in warnings.earliest("pk").text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_real_worker_runs_the_enqueued_sweep(world) -> None:
    from django_tasks_db.models import DBTaskResult

    with clock.travel(clock.today() - dt.timedelta(days=45)):
        case = world.to("applied")
        actions.request_supplement(case, acting_user=world.user("540528", "kongshen"), missing="证明")
    result = daily_sweep.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    case.refresh_from_db()
    assert case.status == Status.ABANDONED
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    # The sweep scheduled tomorrow's run for itself.
    assert DBTaskResult.objects.filter(status="READY", task_path=daily_sweep.module_path).count() == 1
