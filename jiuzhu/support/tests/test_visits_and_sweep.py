from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.calendar import workdays
from jiuzhu.lib import clock
from jiuzhu.notifications.models import Notification
from jiuzhu.ops.tasks import sweep
from jiuzhu.support import actions
from jiuzhu.support.models import AgencyKind, Referral, Service, Visit
from jiuzhu.support.tests.helpers import agency, refer

pytestmark = pytest.mark.django_db


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)), st.integers(0, 120))
def test_add_months_lands_in_the_right_month_and_never_past_its_end(day, months):
    got = actions.add_months(day, months)
    assert (got.year * 12 + got.month) - (day.year * 12 + day.month) == months
    assert got.day == day.day or (got.day < day.day and (got + dt.timedelta(days=1)).day == 1)


def test_it_schedules_visits_after_1_6_and_12_months_once(world):
    case = world.to("paid", "540527")  # the payment planned them (cases.events.AidPaid)
    assert [(v.months_after, v.due_on) for v in Visit.objects.filter(case=case).order_by("months_after")] == [
        (m, actions.add_months(case.paid_on, m)) for m in (1, 6, 12)]
    assert actions.schedule_visits(case, acting_user=world.user("540527", "kongshen")) == []
    assert actions.schedule_visits(case, acting_user=None) == []
    assert Visit.objects.filter(case=case).count() == 3


def test_the_sweep_plans_visits_of_paid_cases(world):
    case = world.to("paid", "540527")
    Visit.objects.filter(case=case).delete()  # paid before visits were planned at payment: the sweep catches up
    assert sweep()["visits_planned"] == 3
    assert Visit.objects.filter(case=case).count() == 3
    assert sweep()["visits_planned"] == 0


def _next_working_day(day: dt.date) -> dt.date:
    return workdays.add_working_days(day, 1)


def test_overdue_feedback_reminds_the_handler_then_escalates_to_the_department_head(world):
    case = world.to("paid", "540527")
    referral, _ = refer(world, case, agency(world))
    handler, head = world.user("540527", "kongshen"), world.user("540527", "dept_head")
    day = _next_working_day(referral.due_on)
    with clock.travel(day):
        counts = sweep()
        assert counts["referrals_reminded"] == 1 and counts["referrals_escalated"] == 0
        assert Notification.objects.filter(recipient=handler, text__contains="反馈期限").count() == 1
        assert not Notification.objects.filter(recipient=head, text__contains="反馈期限").exists()
        assert sweep()["referrals_reminded"] == 0  # idempotent on the same day
    with clock.travel(workdays.add_working_days(referral.due_on, 3)):
        assert sweep()["referrals_escalated"] == 1
        assert Notification.objects.filter(recipient=head, text__contains="提请部门负责人督办").count() == 1
    actions.partner_answer(referral, accept=True, responder="扎西")
    with clock.travel(workdays.add_working_days(referral.due_on, 4)):
        assert sweep()["referrals_reminded"] == 0  # answered: no more reminders


def test_overdue_visits_remind_the_handler_and_show_on_the_worklist(world, client):
    case = world.to("paid", "540527")
    actions.schedule_visits(case, acting_user=None)
    first = Visit.objects.filter(case=case).order_by("due_on").first()
    day = _next_working_day(first.due_on)
    with clock.travel(day):
        assert sweep()["visits_reminded"] == 1
        assert Notification.objects.filter(recipient=world.user("540527", "kongshen"), case=case,
                                           text__contains="回访").count() == 1
        client.force_login(world.user("540527", "kongshen"))
        html = client.get("/").content.decode()
        assert "逾期未回访（1）" in html and case.number in html
        client.force_login(world.user("540528", "kongshen"))
        assert "逾期未回访" not in client.get("/").content.decode()


def test_the_worklist_support_entries_do_not_grow_with_rows(world, client):
    user = world.user("540527", "kongshen")
    client.force_login(user)

    def overdue(n: int) -> None:
        ag = agency(world, name=f"机构{Referral.objects.count()}")
        for i in range(n):
            case = world.to("paid", "540527", groups=["妇女", "未成年人"][: 1 + i % 2])
            refer(world, case, ag)
            actions.schedule_visits(case, acting_user=None)

    overdue(2)
    later = clock.today() + dt.timedelta(days=60)
    with clock.travel(later), CaptureQueriesContext(connection) as two:
        assert "协作单位逾期未反馈（2）" in client.get("/").content.decode()
    overdue(20)
    with clock.travel(later), CaptureQueriesContext(connection) as many:
        html = client.get("/").content.decode()
        assert "协作单位逾期未反馈（22）" in html and "重点人群在办案件（22" in html
    assert len(many) == len(two)


def test_a_visit_records_and_turns_a_new_need_into_a_referral_and_a_service(world, client):
    case = world.to("paid", "540527")
    actions.schedule_visits(case, acting_user=None)
    visit = Visit.objects.filter(case=case).first()
    jobs = agency(world, kind=AgencyKind.HR_SOCIAL, name="洛扎县人社局")
    client.force_login(world.user("540527", "kongshen"))
    url = reverse("support:visit", args=[visit.pk])
    r = client.post(url, {"held_on": clock.today().isoformat(), "method": "phone", "living": "",
                          "service_kind": "employment"})
    assert "请填写生活状况" in r.content.decode() or "此项为必填项" in r.content.decode()
    assert not Service.objects.filter(case=case, kind="employment").exists()
    r = client.post(url, {"held_on": clock.today().isoformat(), "method": "home", "living": "生活基本稳定",
                          "funds_use": "用于医疗", "new_needs": "希望参加技能培训", "service_kind": "employment",
                          "refer_to": jobs.pk, "refer_measures": ["jobs"]})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.held_on == clock.today() and visit.method == "home"
    assert Service.objects.filter(case=case, kind="employment").count() == 1
    assert Referral.objects.get(case=case, agency=jobs).measures == ["jobs"]


def test_subtypes_are_checked_against_the_rules_data_and_priority_groups_lead_the_worklist(world, client):
    from django.core.exceptions import ValidationError as VE

    from jiuzhu.cases.models import CaseGroup

    user = world.user("540527", "kongshen")
    woman = world.to("accepted", "540527", groups=["妇女"])
    minor = world.to("accepted", "540527", groups=["未成年人"], person=world.person("540527", age=10))
    plain = world.to("accepted", "540527", groups=["低保户"])
    with pytest.raises(VE):
        actions.set_group_subtypes(woman, acting_user=user, subtypes={"妇女": "M1"})
    with pytest.raises(VE):
        actions.set_group_subtypes(woman, acting_user=user, subtypes={"残疾人": "1"})
    client.force_login(user)
    client.post(reverse("support:subtypes", args=[woman.pk]), {"妇女": "W2"})
    assert CaseGroup.objects.get(case=woman).subtype == "W2"
    html = client.get("/").content.decode()
    assert "重点人群在办案件（2" in html
    assert html.index(minor.number) < html.index(woman.number)  # 未成年人 before 妇女 (the setting's order)
    assert "遭受家庭暴力" in client.get(reverse("cases:detail", args=[woman.pk])).content.decode()
    section = html[html.index('id="priority-cases"'):]
    assert plain.number not in section.split("</ul>")[0]
