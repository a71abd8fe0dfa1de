"""Follow-up is one path: the visits are planned when the aid is paid, recording the first visit moves the case
to 回访, and the case page offers no separate 开始回访; 办理期限 names each approval step."""

from __future__ import annotations

import re

import pytest

from jiuzhu.cases.models import CaseEvent, Status
from jiuzhu.funds import actions as funds
from jiuzhu.funds.models import Payment
from jiuzhu.lib import clock
from jiuzhu.orgs.policy import get_setting
from jiuzhu.support import actions
from jiuzhu.support.models import Visit

pytestmark = pytest.mark.django_db


def test_it_plans_the_visits_when_the_aid_is_paid(world) -> None:
    case = world.to("paid")
    months = get_setting(case.handling_org, "support.visit_months")
    visits = list(Visit.objects.filter(case=case).order_by("months_after"))
    assert [v.months_after for v in visits] == sorted(months)  # no sweep, no button: planned by the payment
    assert all(v.held_on is None and v.due_on > case.paid_on for v in visits)
    assert CaseEvent.objects.filter(case=case, action="schedule_visits").count() == 1


def test_the_first_visit_moves_the_case_to_follow_up(world, client) -> None:
    case = world.to("paid")
    h = world.user("540528", "kongshen")
    client.force_login(h)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "开始回访" not in page and "进入回访" not in page  # one path: the visit plan's 登记回访
    assert "登记回访" in page
    assert client.get(f"/cases/{case.pk}/start_follow_up/").status_code == 404
    first, second = Visit.objects.filter(case=case).order_by("due_on")[:2]
    r = client.post(f"/support/visits/{first.pk}/", {"held_on": clock.today().isoformat(), "method": "home",
                                                      "living": "生活基本稳定。", "funds_use": "用于医疗。"})
    assert r.status_code == 302, r.content.decode()[:1500]
    case.refresh_from_db()
    assert case.status == Status.FOLLOW_UP
    event = CaseEvent.objects.get(case=case, action="start_follow_up")
    assert event.new_status == Status.FOLLOW_UP and event.actor == h and "首次回访" in event.note
    actions.record_visit(second, acting_user=h, held_on=clock.today(), method="phone", living="稳定。")
    case.refresh_from_db()
    assert case.status == Status.FOLLOW_UP
    assert CaseEvent.objects.filter(case=case, action="start_follow_up").count() == 1


def test_a_visit_while_aid_is_owed_is_recorded_and_the_case_waits(world) -> None:
    case = world.to("paid")
    payment = Payment.objects.get(case=case, status="paid")
    funds.mark_returned(payment, acting_user=world.user("540528", "finance"), reason="账户已注销")
    visit = Visit.objects.filter(case=case).order_by("due_on").first()
    actions.record_visit(visit, acting_user=world.user("540528", "kongshen"), held_on=clock.today(), method="phone",
                         living="等待重新发放。")
    visit.refresh_from_db()
    case.refresh_from_db()
    assert visit.held_on == clock.today() and case.status == Status.PAID


def test_closing_drops_the_visits_not_held(world) -> None:
    from jiuzhu.cases import actions as case_actions

    case = world.to("follow_up")
    held = Visit.objects.filter(case=case, held_on__isnull=False).count()
    assert held == 1
    case_actions.close(case, acting_user=world.user("540528", "kongshen"), summary="办结。")
    assert Visit.objects.filter(case=case).count() == 1  # the held one stays in the dossier
    note = CaseEvent.objects.get(case=case, action="cancel_visits").note
    assert note.startswith("结案，取消未进行的回访：发放后第")


def test_the_deadlines_name_each_approval_step(world, client) -> None:
    from jiuzhu.cases.actions.approval import step_name

    case = world.to("granted", amount="150000")  # a large amount: a longer route
    steps = list(case.approval_steps.order_by("seq"))
    assert len(steps) >= 2
    client.force_login(world.user("540528", "kongshen"))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    box = html[html.index('id="deadlines"'):html.index('id="timeline"')]
    names = re.findall(r'<div class="mb-1">([^：<]+)：', box)
    approvals = [n for n in names if "审批" in n or "办公会" in n]
    assert approvals == [step_name(s.label) for s in steps]
    assert "审批" not in names  # never the bare kind, which said "审批：2026-12-08" three times over
    assert len(set(approvals)) == len(approvals)
