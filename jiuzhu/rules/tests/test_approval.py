"""Approval routes: thresholds, the nearest organisation's rules, the exceed-cap steps, validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.orgs.admin import OrgSettingForm
from jiuzhu.rules.actions import add_approval_rule
from jiuzhu.rules.admin import ApprovalRuleAdmin
from jiuzhu.rules.approval import merge, route_for
from jiuzhu.rules.models import ApprovalRule

pytestmark = pytest.mark.django_db

D = Decimal
TWO = ("部门负责人", "分管副检察长")
THREE = ("部门负责人", "分管副检察长", "检察长办公会")
OVER = ("部门负责人", "分管副检察长", "检察长", "检察长办公会")


@pytest.mark.parametrize(("amount", "labels"), [
    (D("0"), TWO), (D("0.01"), TWO), (D("9999.99"), TWO), (D("10000"), THREE), (D("10000.00"), THREE),
    (D("10000.01"), THREE), (D("400000"), THREE),
])
def test_it_sends_ten_thousand_yuan_and_more_to_the_collective_body_by_default(tibet, amount, labels) -> None:
    route = route_for(tibet.orgs["540528"], amount)
    assert route.labels == labels and route.rule is None and route.step_working_days == 3


def test_it_takes_the_threshold_and_the_body_from_the_settings(tibet, setting) -> None:
    setting("540000", "approval.collective_threshold_yuan", 20000)
    setting("540500", "approval.collective_body", "检察委员会")
    county = tibet.orgs["540528"]
    assert route_for(county, D("19999.99")).labels == TWO
    assert route_for(county, D("20000")).labels == ("部门负责人", "分管副检察长", "检察委员会")
    assert route_for(tibet.orgs["540000"], D("20000")).labels == THREE


@pytest.mark.parametrize("amount", [D("100"), D("10000"), D("500000")])
def test_it_adds_the_exceed_cap_steps_once_with_the_collective_decision_last(tibet, amount) -> None:
    route = route_for(tibet.orgs["540528"], amount, over_cap=True)
    assert route.steps == ("dept_head", "deputy_chief", "chief", "collective") and route.labels == OVER
    assert route.exceeds_cap


def test_it_takes_the_exceed_cap_steps_from_the_settings(tibet, setting) -> None:
    setting("540000", "approval.exceed_cap_steps", ["deputy_chief", "chief"])
    assert route_for(tibet.orgs["540528"], D("5000"), over_cap=True).steps == ("dept_head", "deputy_chief", "chief")
    assert route_for(tibet.orgs["540528"], D("50000"), over_cap=True).steps == (
        "dept_head", "deputy_chief", "chief", "collective")


def test_the_nearest_organisation_with_rules_decides(tibet) -> None:
    region, city, county = tibet.orgs["540000"], tibet.orgs["540500"], tibet.orgs["540528"]
    add_approval_rule(region, min_amount=D(0), steps=["dept_head"])
    add_approval_rule(region, min_amount=D(5000), steps=["dept_head", "chief"])
    add_approval_rule(city, min_amount=D(0), steps=["deputy_chief"])
    add_approval_rule(city, min_amount=D(20000), steps=["dept_head", "deputy_chief"], collective=True)
    assert route_for(region, D("4999.99")).steps == ("dept_head",)
    assert route_for(region, D("5000")).steps == ("dept_head", "chief")
    assert route_for(county, D("19999.99")).steps == ("deputy_chief",)
    assert route_for(county, D("20000")).steps == ("dept_head", "deputy_chief", "collective")
    assert route_for(county, D("20000")).rule.org == city  # type: ignore[union-attr]
    add_approval_rule(county, min_amount=D(0), steps=["chief"])
    assert route_for(county, D("20000")).steps == ("chief",)
    assert route_for(tibet.orgs["540527"], D("20000")).steps == ("dept_head", "deputy_chief", "collective")


def test_an_amount_below_every_rule_of_the_nearest_organisation_falls_back_to_the_defaults(tibet) -> None:
    add_approval_rule(tibet.orgs["540500"], min_amount=D(3000), steps=["chief"])
    assert route_for(tibet.orgs["540528"], D("2999.99")).labels == TWO
    assert route_for(tibet.orgs["540528"], D("3000")).labels == ("检察长",)


def test_it_merges_exceed_cap_steps_into_a_rule_without_repeats(tibet) -> None:
    add_approval_rule(tibet.orgs["540500"], min_amount=D(0), steps=["chief", "collective"])
    assert route_for(tibet.orgs["540528"], D("1"), over_cap=True).steps == ("chief", "collective")


codes = st.sampled_from(["dept_head", "deputy_chief", "chief", "collective"])


@given(steps=st.lists(codes, max_size=8))
def test_merge_never_repeats_and_keeps_the_collective_decision_last(steps: list[str]) -> None:
    merged = merge(steps)
    assert len(merged) == len(set(merged)) and set(merged) == set(steps)
    if "collective" in merged:
        assert merged[-1] == "collective"
    persons = [s for s in steps if s != "collective"]
    assert [s for s in merged if s != "collective"] == list(dict.fromkeys(persons))


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.lists(codes, min_size=1, max_size=4, unique=True), extra=st.lists(codes, max_size=4, unique=True),
       amount=st.decimals(min_value=0, max_value=10**9, places=2))
def test_a_route_has_each_step_once_and_starts_with_the_base_route(tibet, base, extra, amount) -> None:
    base = merge(base)
    with transaction.atomic():
        add_approval_rule(tibet.orgs["540500"], min_amount=D(0), steps=base)
        from jiuzhu.orgs.models import OrgSetting

        OrgSetting.objects.create(org=tibet.orgs["540000"], key="approval.exceed_cap_steps", value=merge(extra) or ["chief"])
        plain = route_for(tibet.orgs["540528"], amount)
        over = route_for(tibet.orgs["540528"], amount, over_cap=True)
        transaction.set_rollback(True)
    assert list(plain.steps) == base
    assert len(set(over.steps)) == len(over.steps) and set(over.steps) >= set(base)
    persons = [s for s in base if s != "collective"]
    assert list(over.steps[:len(persons)]) == persons


@pytest.mark.parametrize(("steps", "message"), [
    (["kongshen"], "未知的审批步骤"), (["finance"], "未知的审批步骤"), ([], "不能为空"), ("dept_head", "列表"),
    (["chief", "chief"], "不能重复"), (["collective", "chief"], "最后一步"),
])
def test_it_refuses_bad_approval_steps(tibet, steps, message) -> None:
    with pytest.raises(ValidationError, match=message):
        add_approval_rule(tibet.orgs["540500"], min_amount=D(0), steps=steps)
    assert not ApprovalRule.objects.exists()


def test_it_refuses_two_rules_from_the_same_amount(tibet) -> None:
    add_approval_rule(tibet.orgs["540500"], min_amount=D(0), steps=["chief"])
    with pytest.raises(ValidationError, match="相同金额起点"):
        add_approval_rule(tibet.orgs["540500"], min_amount=D("0.00"), steps=["dept_head"])


def test_the_admin_validates_the_steps_and_shows_them_in_chinese(tibet, admin_client) -> None:
    url = "/admin/rules/approvalrule/add/"
    data = {"org": tibet.orgs["540500"].pk, "min_amount": "0", "steps": '["stats"]', "note": ""}
    page = admin_client.post(url, data)
    assert page.status_code == 200 and "未知的审批步骤：stats" in page.content.decode()
    data.update(min_amount="10000", steps='["dept_head", "deputy_chief"]', collective="on", note="县院实施办法")
    assert admin_client.post(url, data).status_code == 302
    rule = ApprovalRule.objects.get()
    assert ApprovalRuleAdmin(ApprovalRule, site).route(rule) == "部门负责人 → 分管副检察长 → 检察长办公会"
    listing = admin_client.get("/admin/rules/approvalrule/").content.decode()
    assert "部门负责人 → 分管副检察长 → 检察长办公会" in listing


def test_the_admin_lists_wage_bases(tibet, admin_client) -> None:
    page = admin_client.get("/admin/rules/wagebase/?province_code=540000").content.decode()
    assert "11900.00" in page and "城镇非私营单位就业人员平均工资" in page


@pytest.mark.parametrize(("key", "value", "message"), [
    ("approval.exceed_cap_steps", '["chief", "secretary"]', "未知的审批步骤"),
    ("approval.exceed_cap_steps", '"chief"', "类型不正确"),
    ("approval.collective_body", '"  "', "不能为空"),
    ("amount.hardship_tiers", '[{"name": "一档", "percent_of_cap": 130}]', "不超过 100"),
    ("amount.hardship_tiers", '[{"name": "一档", "percent_of_cap": 50}, {"name": "二档", "percent_of_cap": 40}]',
     "大于上一档"),
    ("amount.hardship_tiers", '[{"name": "一档", "percent": 50}]', "未知的键"),
    ("amount.key_group_extra_groups", '["妇女", "外星人"]', "未知的人员类别"),
    ("amount.cap_months", "0", "不能小于"),
])
def test_the_settings_form_explains_a_bad_rule_value(tibet, key, value, message) -> None:
    form = OrgSettingForm(data={"org": tibet.orgs["540000"].pk, "key": key, "value": value, "note": ""})
    assert not form.is_valid()
    assert message in str(form.errors["value"])


@pytest.mark.parametrize(("key", "value", "stored"), [
    ("approval.exceed_cap_steps", '["chief", "collective"]', ["chief", "collective"]),
    ("amount.hardship_tiers", '[{"name": "一档", "percent_of_cap": 30}, {"name": "二档", "percent_of_cap": 60.5}]',
     [{"name": "一档", "percent_of_cap": 30}, {"name": "二档", "percent_of_cap": 60.5}]),
    ("approval.collective_body", '"检察委员会"', "检察委员会"),
])
def test_the_settings_form_accepts_good_rule_values(tibet, key, value, stored) -> None:
    form = OrgSettingForm(data={"org": tibet.orgs["540000"].pk, "key": key, "value": value, "note": "省院通知"})
    assert form.is_valid(), form.errors
    assert form.save().value == stored
