"""Issue 11 finding 5: impossible input was accepted or answered with a 500.

One date policy (lib/dates.py) and one phone validator (people/phones.py) on every write path, the
order of dates within a case, two 500s, and closing a case whose decided aid was not all paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jiuzhu.cases import actions
from jiuzhu.cases.forms import ClueForm, PartyForm
from jiuzhu.cases.models import AidCase, Status
from jiuzhu.funds import actions as funds
from jiuzhu.funds.models import LedgerEntry, Payment
from jiuzhu.lib import clock

ANCIENT = ["0001-01-01", "1900-01-01", "1999-12-31"]


def clue_post(world, **over):  # type: ignore[no-untyped-def]
    data = {"org": world.orgs["540528"].pk, "channel": "case_department", "person_name": "次仁",
            "offender_ability": "unknown", "clue_summary": "办案中发现被害人生活困难。"}
    return {**data, **over}


@pytest.mark.parametrize("day", ANCIENT)
def test_it_refuses_a_clue_dated_before_the_earliest_year(world, client, day) -> None:
    client.force_login(world.user("540528", "kongshen"))
    before = AidCase.objects.count()
    r = client.post("/cases/new/", clue_post(world, on=day))
    assert r.status_code == 200
    assert "线索日期不能早于2000年01月01日" in r.content.decode()
    assert AidCase.objects.count() == before
    # The write path itself refuses, whoever calls it (a command, the API, a test).
    with pytest.raises(actions.CaseActionError, match="不能早于2000年01月01日"):
        world.clue(on=dt.date.fromisoformat(day))
    assert AidCase.objects.count() == before


def test_it_takes_the_earliest_year_from_the_setting(world, settings) -> None:
    settings.JIUZHU_EARLIEST_YEAR = 2015
    with pytest.raises(actions.CaseActionError, match="不能早于2015年01月01日"):
        world.clue(on=dt.date(2014, 12, 31))
    assert world.clue(on=dt.date(2015, 1, 1)).number.startswith("540528-2015-")


def test_it_refuses_a_budget_supplement_dated_0001(world, client) -> None:
    fin = world.user("540528", "finance")
    year = clock.today().year
    before = LedgerEntry.objects.count()
    with pytest.raises(funds.FundsError, match="不能早于2000年01月01日"):
        funds.add_supplement(world.orgs["540528"], year, acting_user=fin, amount=Decimal("100"),
                             on=dt.date(1, 1, 1))
    client.force_login(fin)
    r = client.post(f"/funds/540528/{year}/supplement/", {"amount": "100", "on": "0001-01-01"}, follow=True)
    assert r.status_code == 200 and "不能早于2000年01月01日" in r.content.decode()
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize("year", ["99999999999999999999", "1999", "9999"])
def test_it_answers_404_for_a_budget_year_out_of_range(world, client, year) -> None:
    client.force_login(world.user("540528", "finance"))
    assert client.get(f"/funds/540528/{year}/").status_code == 404
    assert client.post(f"/funds/540528/{year}/supplement/", {"amount": "1"}).status_code == 404
    with pytest.raises(funds.FundsError, match="预算年度"):
        funds.add_supplement(world.orgs["540528"], 1999, acting_user=world.user("540528", "finance"),
                             amount=Decimal("1"))


def test_it_refuses_a_ledger_row_before_the_earliest_year_but_takes_the_demos_history(world) -> None:
    from jiuzhu.stats.ledger import check
    from jiuzhu.stats.tests.helpers import id_number, workbook

    def row(n: int, decided: str) -> dict:
        return {"案件编号": f"540528-X-{n}", "承办院": "加查县人民检察院", "申请人姓名": "卓玛",
                "身份证号码": id_number(n), "救助情形": "E1", "受理日期": decided, "决定日期": decided, "决定结果": "救助",
                "救助金额(元)": "5000", "发放方式": "一次性", "发放日期": decided}

    result = check(workbook([row(1, "0001-01-01"), row(2, "2018-03-01")]))
    assert [r.line for r in result.rows] == [3], result.errors
    assert {(line, column) for line, column, _ in result.errors} >= {(2, "受理日期"), (2, "决定日期")}
    assert any("不能早于2000年01月01日" in reason for _, _, reason in result.errors)


def test_it_renders_date_inputs_with_iso_values(world) -> None:
    form = ClueForm(initial={"on": dt.date(2026, 3, 5)}, orgs=[world.orgs["540528"]])
    html = str(form["on"])
    assert 'type="date"' in html and 'value="2026-03-05"' in html


def test_it_answers_the_api_stats_period_before_the_earliest_year_in_chinese(world, client, api_token) -> None:
    r = client.get("/api/v1/stats", {"from": "0001-01-01", "to": "2026-01-01"},
                   headers={"Authorization": f"Bearer {api_token}"})
    assert r.status_code == 422
    assert "不能早于2000年01月01日" in r.json()["errors"][0]["msg"]


# ---------------------------------------------------------------------------------------------
# Order rules, in the actions


def test_it_refuses_a_meeting_held_after_the_decision(world) -> None:
    from jiuzhu.cases.models import ApprovalStep
    from jiuzhu.demo.loader import MEETING, approver_for

    today = clock.today()
    with clock.travel(today - dt.timedelta(days=5)):  # over the collective threshold: the last step meets
        case = world.to("pending_approval", amount="20000")
    while True:
        step = case.approval_steps.get(status=ApprovalStep.Status.PENDING)
        if not case.approval_steps.filter(opinion=step.opinion, seq__gt=step.seq).exists():
            break
        with clock.travel(today - dt.timedelta(days=4)):  # the approvals come before the meeting and decision
            actions.approve_step(case, acting_user=approver_for(world.demo, "540528", step.role), comment="同意。",
                                 meeting={**MEETING, "meeting_date": today - dt.timedelta(days=3)})
    assert step.role == ApprovalStep.COLLECTIVE
    chief = approver_for(world.demo, "540528", step.role)
    with pytest.raises(actions.CaseActionError, match="会议日期不能晚于决定日期"):
        actions.decide_grant(case, acting_user=chief, amount=Decimal("20000"), reasons="予以救助。",
                             on=today - dt.timedelta(days=1), meeting={**MEETING, "meeting_date": today})
    with pytest.raises(actions.CaseActionError, match="会议日期不能早于2000年01月01日"):
        actions.decide_grant(case, acting_user=chief, amount=Decimal("20000"), reasons="予以救助。",
                             meeting={**MEETING, "meeting_date": dt.date(1, 1, 1)})
    case.refresh_from_db()
    assert case.status == Status.PENDING_APPROVAL
    actions.decide_grant(case, acting_user=chief, amount=Decimal("20000"), reasons="予以救助。",
                         on=today - dt.timedelta(days=1), meeting={**MEETING, "meeting_date": today - dt.timedelta(days=2)})
    assert case.status == Status.GRANTED


def test_it_refuses_a_payment_planned_before_the_decision(world) -> None:
    case = world.to("awaiting_payment")
    with pytest.raises(funds.FundsError, match="计划发放日期不能早于决定日期"):
        funds.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                plan=[(case.decided_amount, case.decided_on - dt.timedelta(days=1))],
                                payee_kind="applicant", payee_name="本人", bank_name="中国农业银行",
                                account="6228480000000000001")
    with pytest.raises(funds.FundsError, match="不能晚于"):
        funds.schedule_payments(case, acting_user=world.user("540528", "kongshen"),
                                plan=[(case.decided_amount, dt.date(9999, 12, 31))],
                                payee_kind="applicant", payee_name="本人", bank_name="中国农业银行",
                                account="6228480000000000001")
    assert not Payment.objects.filter(case=case, is_advance=False).exists()


def test_it_refuses_a_visit_before_the_payment_and_a_service_before_the_clue(world) -> None:
    from jiuzhu.support import actions as support
    from jiuzhu.support.models import Service, Visit

    case = world.to("paid")
    h = world.user("540528", "kongshen")
    support.schedule_visits(case, acting_user=h)
    visit = Visit.objects.filter(case=case).first()
    assert visit is not None
    with pytest.raises(ValidationError, match="回访日期不能早于发放日期"):
            support.record_visit(visit, acting_user=h, held_on=case.paid_on - dt.timedelta(days=1),
                                 method=Visit.Method.HOME, living="生活稳定。")
    before = Service.objects.count()
    with pytest.raises(ValidationError, match="服务日期不能早于线索日期"):
        support.record_service(case.handling_org, acting_user=h, kind="counselling", case=case,
                               provided_on=case.raised_on - dt.timedelta(days=1))
    assert Service.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Phones: the portal's validator on staff forms and the write path


@pytest.mark.parametrize("bad", ["NaN", "1e309", "2026-01-01", "1380013800", "abc13800138000", "+861380013800"])
def test_it_refuses_a_phone_that_is_no_phone(world, bad) -> None:
    form = ClueForm(clue_post(world, phone=bad), orgs=[world.orgs["540528"]])
    assert not form.is_valid() and "phone" in form.errors
    assert "手机号码" in form.errors["phone"][0]
    party = PartyForm({"role": "victim", "name": "卓玛", "phone": bad})
    assert not party.is_valid() and "phone" in party.errors
    before = AidCase.objects.count()
    with pytest.raises(ValidationError):
        world.clue(person={**world.person(), "phone": bad})
    assert AidCase.objects.count() == before


@pytest.mark.parametrize(("typed", "stored"), [("138 0013 8000", "13800138000"), ("+86-13800138000", "13800138000"),
                                               ("0893-7821234", "08937821234"), ("", "")])
def test_it_takes_a_mobile_or_a_landline_on_staff_forms(world, typed, stored) -> None:
    form = ClueForm(clue_post(world, phone=typed), orgs=[world.orgs["540528"]])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == stored


def test_it_keeps_the_portal_to_mobiles_only() -> None:
    from jiuzhu.portal.otp import normalise_phone

    assert normalise_phone("138-0013-8000") == "13800138000"
    with pytest.raises(ValidationError, match="请输入11位手机号码"):
        normalise_phone("0893-7821234")


# ---------------------------------------------------------------------------------------------
# The two 500s


def test_it_answers_materials_next_without_a_file_with_a_message(world, client) -> None:
    from jiuzhu.portal.tests.helpers import ANSWERS, login

    login(client, "13800138000")
    r = client.post("/apply/mine/")
    pk = int(r["Location"].split("/")[3])
    for step, data in ANSWERS.items():
        assert client.post(f"/apply/a/{pk}/{step}/", {**data, "next": "1"}).status_code == 302
    r = client.post(f"/apply/a/{pk}/materials/", {"next": "1"})
    assert r.status_code == 400
    assert "请至少上传一份材料" in r.content.decode()


@pytest.mark.parametrize("year", ["99999999999999999999", "²", "0", "12345"])
def test_it_answers_404_for_an_impossible_drill_down_year(world, client, year) -> None:
    client.force_login(world.user("540528", "kongshen"))
    assert client.get("/stats/cases/", {"year": year}).status_code == 404
    assert client.get("/stats/cases/", {"year": "2026"}).status_code == 200


def test_it_answers_a_search_with_a_nul_character_with_a_message(world, client) -> None:
    # Found by the corpus on PostgreSQL, which refuses NUL in text (a DataError, so a 500).
    client.force_login(world.user("540528", "kongshen"))
    r = client.post("/search/", {"q": "卓玛\x00"})
    assert r.status_code == 400 and "检索词含有不能识别的字符" in r.content.decode()


# ---------------------------------------------------------------------------------------------
# Closing a case whose decided aid was not all paid


def _returned(world):  # type: ignore[no-untyped-def]
    """A paid case whose only payment the bank sent back and that was never reissued."""
    case = world.to("paid")
    p = Payment.objects.get(case=case, is_advance=False, status=Payment.Status.PAID)
    funds.mark_returned(p, acting_user=world.user("540528", "finance"), reason="账户已注销")
    case.refresh_from_db()
    return case, p


def test_it_refuses_follow_up_and_closing_while_aid_is_unpaid(world, client) -> None:
    case, _ = _returned(world)
    h = world.user("540528", "kongshen")
    assert case.status == Status.PAID and case.paid_amount == 0
    with pytest.raises(ValidationError, match="尚有 10,000.00 元救助金未发放，不能进入回访"):
        with transaction.atomic():
            actions.enter_follow_up(case, acting_user=h, on=clock.today())
    with pytest.raises(actions.CaseActionError, match="尚有 10,000.00 元救助金未发放，不能结案"):
        actions.close(case, acting_user=h, summary="办结。")
    client.force_login(h)
    r = client.post(f"/cases/{case.pk}/close/", {"summary": "办结。"})
    assert r.status_code == 400 and "尚有 10,000.00 元救助金未发放" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Status.PAID


def test_it_refuses_closing_a_follow_up_case_after_a_return(world) -> None:
    case = world.to("follow_up")
    h = world.user("540528", "kongshen")
    p = Payment.objects.get(case=case, is_advance=False, status=Payment.Status.PAID)
    funds.mark_returned(p, acting_user=world.user("540528", "finance"), reason="账户已注销")
    with pytest.raises(actions.CaseActionError, match="尚有 10,000.00 元救助金未发放，不能结案"):
        actions.close(case, acting_user=h, summary="办结。")
    new = funds.reissue(p, acting_user=world.user("540528", "finance"), bank_name="中国农业银行",
                        account="6228480000000000002")
    funds.pay(new, acting_user=world.user("540528", "finance"), bank_reference="B-reissued")
    actions.close(case, acting_user=h, summary="办结。")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


# ---------------------------------------------------------------------------------------------
# The policy as properties (any date, any string)



@hypothesis_settings(max_examples=300, deadline=None, derandomize=True)
@given(day=st.dates(), past=st.booleans())
def test_the_date_policy_takes_exactly_the_dates_between_its_bounds(day, past) -> None:
    from jiuzhu.lib import dates

    upper = clock.today() if past else dates.latest()
    assert (dates.problem(day, past=past) is None) == (dates.earliest() <= day <= upper)


@hypothesis_settings(max_examples=300, deadline=None, derandomize=True)
@given(raw=st.one_of(st.text(max_size=25), st.from_regex(r"\A(\+86)?1[3-9][0-9]{9}\Z"),
                     st.from_regex(r"\A0[0-9]{2,3}-?[0-9]{7,8}\Z")))
def test_a_phone_is_kept_only_when_it_is_a_mobile_or_a_landline_and_normalising_is_stable(raw) -> None:
    import re

    from jiuzhu.people.phones import LANDLINE, MOBILE, clean_phone

    try:
        phone = clean_phone(raw)
    except ValidationError:
        return
    assert phone == "" and not raw.strip() or MOBILE.match(phone) or LANDLINE.match(phone)
    assert clean_phone(phone) == phone
    assert re.fullmatch(r"[0-9]*", phone)
