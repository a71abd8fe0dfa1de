"""来访申请 (issue 13): a walk-in's case and application are made in one step, with the ordinary rules."""

from __future__ import annotations

import pytest

from jiuzhu.cases import actions
from jiuzhu.cases.models import AidCase, CaseEvent, Channel, Deadline, Record, Status
from jiuzhu.lib import clock

pytestmark = pytest.mark.django_db


def test_it_makes_the_case_and_the_application_in_one_step(world) -> None:
    kongshen = world.user("540528", "kongshen")
    case = actions.register_walk_in(world.orgs["540528"], acting_user=kongshen, person_name="次仁卓嘎",
                                    phone="13812345678", clue_summary="丈夫被故意伤害致残，家庭生活困难。",
                                    form="oral", oral_record="申请人陈述：……", charge="故意伤害罪")
    case.refresh_from_db()
    assert case.status == Status.APPLIED and case.channel == Channel.WALK_IN
    assert case.raised_on == case.applied_on == clock.today() and case.handler == kongshen
    assert list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("action", flat=True))[:2] == [
        "raise_clue", "register_application"]
    assert Record.objects.filter(case=case, kind=Record.Kind.ORAL_APPLICATION).count() == 1
    assert Deadline.objects.filter(case=case, kind=Deadline.Kind.SUPPLEMENT_NOTICE, completed_on=None).exists()
    assert not case.is_ex_officio


def test_a_refused_application_leaves_no_case(world) -> None:
    before = AidCase.objects.count()
    with pytest.raises(actions.CaseActionError, match="口头申请须制作笔录"):
        actions.register_walk_in(world.orgs["540528"], acting_user=world.user("540528", "kongshen"),
                                 person_name="次仁", clue_summary="来访。", form="oral")
    assert AidCase.objects.count() == before


def test_only_staff_who_handle_cases_register_walk_ins(world, client) -> None:
    with pytest.raises(actions.CasePermissionError):
        actions.register_walk_in(world.orgs["540528"], acting_user=world.user("540528", "case_prosecutor"),
                                 person_name="次仁", clue_summary="来访。", form="written")
    with pytest.raises(actions.CasePermissionError):  # another county's procuratorate
        actions.register_walk_in(world.orgs["540527"], acting_user=world.user("540528", "kongshen"),
                                 person_name="次仁", clue_summary="来访。", form="written")
    client.force_login(world.user("540528", "case_prosecutor"))
    assert client.get("/cases/walk-in/").status_code == 403


def test_the_page_registers_and_reports_bad_input_in_chinese(world, client) -> None:
    client.force_login(world.user("540528", "kongshen"))
    page = client.get("/cases/walk-in/").content.decode()
    assert "来访申请" in page and 'name="oral_record"' in page
    before = AidCase.objects.count()
    data = {"org": world.orgs["540528"].pk, "person_name": "次仁卓嘎", "offender_ability": "unknown",
            "clue_summary": "来访申请。", "form": "oral", "oral_record": ""}
    html = client.post("/cases/walk-in/", data).content.decode()
    assert "口头申请须制作笔录" in html and AidCase.objects.count() == before
    assert 'value="次仁卓嘎"' in html  # the input is kept
    response = client.post("/cases/walk-in/", {**data, "form": "written"}, follow=True)
    assert AidCase.objects.count() == before + 1
    case = AidCase.objects.latest("pk")
    assert case.status == Status.APPLIED and case.channel == Channel.WALK_IN
    assert "已登记来访申请" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/"
