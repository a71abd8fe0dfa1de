from __future__ import annotations

import pytest
from django.db.models import Sum

from jiuzhu.accounts.models import User
from jiuzhu.calendar import workdays
from jiuzhu.cases.models import AidCase
from jiuzhu.lib import clock
from jiuzhu.notifications.models import Notification
from jiuzhu.ops.tasks import sweep
from jiuzhu.support.models import PartnerAgency, Referral, Service

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(demo_loaded):  # type: ignore[no-untyped-def]
    yield


def test_the_demo_shows_suolang_zhuomas_four_referrals_and_what_each_did(loaded, client):
    case = AidCase.objects.get(applicant__name="索朗卓玛", handling_org__code="540527")
    assert case.decided_on.year == 2022
    refs = {r.agency.name: r for r in Referral.objects.filter(case=case).select_related("agency")}
    assert set(refs) == {"洛扎县教育局", "洛扎县民政局", "洛扎县乡村振兴局", "洛扎县妇联"}
    assert all(r.status == Referral.Status.DONE and r.taken.exists() for r in refs.values())
    client.force_login(User.objects.get(username="luozha_kongshen"))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    for name in refs:
        assert name in html
    assert "纳入农村最低生活保障" in html and "防止返贫监测" in html and "寄宿生生活补助" in html


def test_the_demo_keeps_the_seeds_service_figures(loaded):
    got = dict(Service.objects.filter(provided_on__range=("2018-01-01", "2023-06-07"))
               .values_list("kind").annotate(n=Sum("person_times")))
    assert got == {"legal": 14, "counselling": 2}


def test_the_demo_worklist_shows_overdue_feedback_and_visits_and_the_sweep_reminds(loaded, client):
    client.force_login(User.objects.get(username="luozha_kongshen"))
    html = client.get("/").content.decode()
    assert "协作单位逾期未反馈（1）" in html and "洛扎县教育局" in html
    assert "逾期未回访（1）" in html
    day = workdays.add_working_days(clock.today(), 0 if workdays.is_working_day(clock.today()) else 1)
    with clock.travel(day):
        counts = sweep()
    assert counts["referrals_reminded"] >= 1 and counts["visits_reminded"] >= 1
    assert Notification.objects.filter(recipient__username="luozha_kongshen", text__contains="洛扎县教育局").exists()
    assert PartnerAgency.objects.filter(org__code="540527").count() == 10


def test_the_demo_partner_account_sees_its_referrals(loaded, client):
    client.force_login(User.objects.get(username="luozha_partner"))
    html = client.get("/support/partner/").content.decode()
    assert "洛扎县妇联" in html and "洛扎县人民检察院" in html
    assert Notification.objects.filter(recipient__username="luozha_partner").count() == 0
