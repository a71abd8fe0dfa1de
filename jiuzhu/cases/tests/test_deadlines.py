"""Statutory deadlines on cases, in working days across China's holidays (settings as data)."""

from __future__ import annotations

import datetime as dt

from jiuzhu.cases import actions
from jiuzhu.cases.models import Deadline
from jiuzhu.lib import clock
from jiuzhu.orgs.models import OrgSetting

D = dt.date


def _open(case, kind):  # type: ignore[no-untyped-def]
    return case.deadlines.get(kind=kind, completed_on__isnull=True)


def test_it_counts_the_decision_deadline_across_national_day_2025(world) -> None:
    with clock.travel(D(2025, 9, 25)):
        case = world.to("applied")
    with clock.travel(D(2025, 9, 26)):
        actions.accept(case, acting_user=world.user("540528", "kongshen"))
    # 10 working days from Fri 26 Sep 2025: Sun 28 Sep is worked, 1–8 Oct are holidays, Sat 11 Oct worked.
    # 28 Sep, 29, 30 | 9, 10, Sat 11 Oct, 13, 14, 15, 16.
    assert _open(case, Deadline.Kind.DECISION).due_on == D(2025, 10, 16)


def test_it_counts_the_notice_deadline_across_spring_festival_2026(world) -> None:
    with clock.travel(D(2026, 2, 12)):
        case = world.to("notified")
        actions.register_application(case, acting_user=world.user("540528", "kongshen"), form="written",
                                     on=D(2026, 2, 12))
    # 5 working days from Thu 12 Feb 2026: 13 Feb, Sat 14 Feb (worked), then 15–23 Feb off: 24, 25, 26.
    assert _open(case, Deadline.Kind.SUPPLEMENT_NOTICE).due_on == D(2026, 2, 26)


def test_it_counts_the_payment_notice_across_spring_festival_2025(world) -> None:
    with clock.travel(D(2025, 1, 20)):
        case = world.to("served")
    with clock.travel(D(2025, 1, 27)):
        world.ensure_cash(case)
        actions.record_funds(case, acting_user=world.user("540528", "kongshen"))
    # 2 working days from Mon 27 Jan 2025: 28 Jan–4 Feb are holidays; 5 and 6 Feb.
    assert _open(case, Deadline.Kind.PAYMENT_NOTICE).due_on == D(2025, 2, 6)


def test_it_does_not_crash_into_2027_and_falls_back_to_weekends(world, caplog, monkeypatch) -> None:
    from jiuzhu.calendar import workdays

    # The warning is logged once per year per process: another test on this worker may have had it already.
    monkeypatch.setattr(workdays, "_warned_years", set())
    with clock.travel(D(2026, 12, 28)):
        case = world.to("applied")
        actions.accept(case, acting_user=world.user("540528", "kongshen"))
    # From Mon 28 Dec 2026, 10 working days on the weekend rule only: 29, 30, 31 Dec, 1, 4–8, 11 Jan.
    assert _open(case, Deadline.Kind.DECISION).due_on == D(2027, 1, 11)
    assert any("2027" in r.getMessage() for r in caplog.records)


def test_it_uses_the_provinces_setting_over_the_default(world) -> None:
    OrgSetting.objects.create(org=world.orgs["540000"], key="deadline.decision_working_days", value=20)
    OrgSetting.objects.create(org=world.orgs["540527"], key="deadline.decision_working_days", value=7)
    with clock.travel(D(2025, 6, 2)):
        jiacha = world.to("accepted", "540528")
        luozha = world.to("accepted", "540527")
    # Accepted on the Dragon Boat holiday (Mon 2 Jun): 20 working days from 3 Jun.
    assert _open(jiacha, Deadline.Kind.DECISION).due_on == D(2025, 6, 30)
    assert _open(luozha, Deadline.Kind.DECISION).due_on == D(2025, 6, 11)  # its own 7


def test_it_pauses_the_decision_clock_while_waiting_for_material(world) -> None:
    h = world.user("540528", "kongshen")
    with clock.travel(D(2025, 3, 3)):
        case = world.to("under_review")  # accepted Mon 3 Mar: due Mon 17 Mar
        assert _open(case, Deadline.Kind.DECISION).due_on == D(2025, 3, 17)
    with clock.travel(D(2025, 3, 5)):
        actions.request_supplement(case, acting_user=h, missing="医疗票据")  # 8 working days left
    assert _open(case, Deadline.Kind.SUPPLEMENT).due_on == D(2025, 4, 7)  # 30 days: Fri 4 Apr is 清明, so Mon 7 Apr
    paused = _open(case, Deadline.Kind.DECISION)
    assert paused.paused_on == D(2025, 3, 5) and paused.remaining_working_days == 8
    with clock.travel(D(2025, 3, 20)):
        actions.receive_supplement(case, acting_user=h)
    assert case.status == "under_review"
    assert _open(case, Deadline.Kind.DECISION).due_on == D(2025, 4, 1)  # 8 working days from Thu 20 Mar


def test_it_lapses_only_after_the_supplement_deadline(world) -> None:
    h = world.user("540528", "kongshen")
    with clock.travel(D(2025, 5, 6)):
        case = world.to("applied")
        actions.request_supplement(case, acting_user=h, missing="证明")
    with clock.travel(D(2025, 6, 5)):  # day 30: still in time
        try:
            actions.deem_abandoned(case, acting_user=h)
        except actions.CaseActionError as e:
            assert "尚未届满" in str(e)
        else:
            raise AssertionError("lapsed on the last day of the deadline")
    with clock.travel(D(2025, 6, 6)):
        actions.deem_abandoned(case, acting_user=None)
    assert case.status == "abandoned"
    assert not case.deadlines.filter(completed_on__isnull=True).exists()


def test_it_keeps_the_earliest_running_deadline_on_the_case(world) -> None:
    from jiuzhu.cases.models import AidCase

    h = world.user("540528", "kongshen")
    with clock.travel(D(2025, 3, 3)):
        case = world.to("applied")
    assert AidCase.objects.get(pk=case.pk).next_due == D(2025, 3, 10)  # the 5-day check
    with clock.travel(D(2025, 3, 4)):
        actions.accept(case, acting_user=h)
    assert AidCase.objects.get(pk=case.pk).next_due == D(2025, 3, 18)  # the decision, 10 working days
    with clock.travel(D(2025, 3, 5)):
        actions.start_review(case, acting_user=h)
        actions.request_supplement(case, acting_user=h, missing="证明")
    assert AidCase.objects.get(pk=case.pk).next_due == D(2025, 4, 7)  # decision paused: the 30 days run (清明)
    with clock.travel(D(2025, 3, 10)):
        actions.receive_supplement(case, acting_user=h)
    # Paused on 5 Mar with 9 working days left (6 Mar–18 Mar); resumed on Mon 10 Mar: 11 Mar … 21 Mar.
    assert AidCase.objects.get(pk=case.pk).next_due == D(2025, 3, 21)
