"""`assess(facts)`: exactly the contracts §7 answer, and strict validation of the facts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.cases.models import Category, RefusalGround
from jiuzhu.rules.actions import record_wage_base
from jiuzhu.rules.assess import assess, parse_facts
from jiuzhu.rules.eligibility import CATEGORIES, GROUNDS
from jiuzhu.rules.errors import AssessError, NoWageBase
from jiuzhu.rules.models import WageBase

pytestmark = pytest.mark.django_db

KEYS = {"eligible", "reasons", "base_year", "base_monthly_yuan", "cap_months", "cap_yuan", "over_cap",
        "approval_route"}


def facts(**kw: Any) -> dict[str, Any]:
    base = {"org": "540528", "category": "E1", "refusal_grounds": [], "decision_date": "2026-11-29"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not ...}


def test_it_answers_the_contract_example_exactly(tibet, setting) -> None:
    record_wage_base(province_code="540000", year=2025, monthly_amount=Decimal("12345.00"), source="测试")
    setting("540000", "approval.collective_threshold_yuan", 100000)
    answer = assess({"org": "540528", "category": "E1", "refusal_grounds": ["X5"], "decision_date": "2026-11-29",
                     "requested_yuan": "50000.00"})
    assert answer == {
        "eligible": False,
        "reasons": [{"code": "E1", "text": CATEGORIES["E1"].reason().text},
                    {"code": "X5", "text": GROUNDS["X5"].reason().text}],
        "base_year": 2025,
        "base_monthly_yuan": "12345.00",
        "cap_months": 36,
        "cap_yuan": "444420.00",
        "over_cap": False,
        "approval_route": ["部门负责人", "分管副检察长"],
    }
    assert list(answer) == ["eligible", "reasons", "base_year", "base_monthly_yuan", "cap_months", "cap_yuan",
                            "over_cap", "approval_route"]


def test_it_gives_exactly_the_contract_keys_with_the_default_settings(tibet) -> None:
    answer = assess(facts(requested_yuan="50000.00", refusal_grounds=["X5"]))
    assert set(answer) == KEYS
    assert answer["approval_route"] == ["部门负责人", "分管副检察长", "检察长办公会"]  # ≥ 10,000 yuan (UNCONFIRMED)
    assert (answer["base_year"], answer["base_monthly_yuan"], answer["cap_yuan"]) == (2025, "11900.00", "428400.00")
    assert {frozenset(r) for r in answer["reasons"]} == {frozenset({"code", "text"})}


@pytest.mark.parametrize("code", Category.values)
def test_it_is_eligible_in_each_category_without_refusal_grounds(tibet, code) -> None:
    answer = assess(facts(category=code))
    assert answer["eligible"] is True
    assert answer["reasons"] == [{"code": code, "text": CATEGORIES[code].reason().text}]
    assert "细则》第七条" in answer["reasons"][0]["text"]


@pytest.mark.parametrize("code", RefusalGround.values)
def test_each_refusal_ground_makes_it_not_eligible(tibet, code) -> None:
    answer = assess(facts(category="E2", refusal_grounds=[code]))
    assert answer["eligible"] is False
    assert [r["code"] for r in answer["reasons"]] == ["E2", code]
    assert answer["reasons"][1]["text"] == f"{GROUNDS[code].text}，一般不予救助（《人民检察院开展国家司法救助工作细则》第八条）。"


def test_it_lists_several_grounds_in_code_order(tibet) -> None:
    answer = assess(facts(refusal_grounds=["X6", "X1", "X3"]))
    assert [r["code"] for r in answer["reasons"]] == ["E1", "X1", "X3", "X6"]


def test_the_categories_and_grounds_are_those_of_the_forms() -> None:
    assert list(CATEGORIES) == Category.values and list(GROUNDS) == RefusalGround.values
    for code, label in Category.choices:
        assert CATEGORIES[code].code == code and label.startswith(code)


def test_it_accepts_the_full_name_of_the_procuratorate(tibet) -> None:
    assert assess(facts(org="加查县人民检察院")) == assess(facts(org="540528"))


def test_it_is_over_the_cap_only_above_it_and_then_adds_the_exceed_cap_steps(tibet) -> None:
    at = assess(facts(requested_yuan="428400.00"))
    above = assess(facts(requested_yuan="428400.01"))
    assert not at["over_cap"] and above["over_cap"]
    assert above["approval_route"] == ["部门负责人", "分管副检察长", "检察长", "检察长办公会"]
    assert assess(facts())["approval_route"] == ["部门负责人", "分管副检察长"]  # no amount: as for 0


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requested=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
       | st.decimals(min_value=Decimal("428399.00"), max_value=Decimal("428401.00"), places=2))
def test_over_cap_holds_exactly_when_the_request_exceeds_the_cap(tibet, requested: Decimal) -> None:
    answer = assess(facts(requested_yuan=str(requested)))
    assert answer["over_cap"] is (requested > Decimal(answer["cap_yuan"]))
    assert Decimal(answer["cap_yuan"]) == Decimal(answer["base_monthly_yuan"]) * answer["cap_months"]
    assert ("检察长" in answer["approval_route"]) is answer["over_cap"]


def test_it_reads_a_json_number_as_an_exact_decimal(tibet) -> None:
    parsed = parse_facts('{"org": "540528", "category": "E1", "refusal_grounds": [], "decision_date": "2026-11-29",'
                         ' "requested_yuan": 428400.01}')
    assert parsed["requested_yuan"] == Decimal("428400.01")
    assert assess(parsed)["over_cap"] is True


def test_it_says_which_base_is_missing(tibet) -> None:
    WageBase.objects.filter(year=2025).delete()
    with pytest.raises(NoWageBase, match="西藏自治区（540000）没有2025年的职工月平均工资基数"):
        assess(facts())


@pytest.mark.parametrize(("kw", "message"), [
    ({"applicant": "卓玛"}, "未知的键：applicant"),
    ({"org": ...}, "缺少必填的键：“org”"),
    ({"refusal_grounds": ...}, "“refusal_grounds”"),
    ({"org": "999999"}, "“org”（承办检察院）找不到检察院“999999”"),
    ({"org": "加查县"}, "找不到检察院“加查县”"),
    ({"org": 540528}, "“org”"),
    ({"category": "E8"}, "“category”（救助情形）“E8”无效"),
    ({"category": "e1"}, "“category”"),
    ({"category": None}, "“category”"),
    ({"refusal_grounds": "X5"}, "“refusal_grounds”（不予救助情形）应是列表"),
    ({"refusal_grounds": ["X7"]}, "无效的情形：X7"),
    ({"refusal_grounds": ["X1", "X1"]}, "重复"),
    ({"decision_date": "2026-13-01"}, "“decision_date”（决定日期）“2026-13-01”不是有效的日期"),
    ({"decision_date": "2026/11/29"}, "“decision_date”"),
    ({"decision_date": "20261129"}, "“decision_date”"),
    ({"decision_date": "2026-2-3"}, "“decision_date”"),
    ({"requested_yuan": "12.345"}, "“requested_yuan”（拟救助金额）“12.345”不是有效的金额"),
    ({"requested_yuan": -1}, "“requested_yuan”（拟救助金额）必须大于0"),
    ({"requested_yuan": "-1"}, "“requested_yuan”"),
    ({"requested_yuan": "0"}, "必须大于0"),
    ({"requested_yuan": "abc"}, "“requested_yuan”"),
    ({"requested_yuan": True}, "“requested_yuan”"),
    ({"requested_yuan": 1.5}, "“requested_yuan”"),
    ({"requested_yuan": Decimal("12.345")}, "最多两位小数"),
    ({"requested_yuan": "1e5"}, "“requested_yuan”"),
])
def test_it_refuses_malformed_facts_naming_the_field(tibet, kw, message) -> None:
    with pytest.raises(AssessError, match=message):
        assess(facts(**kw))


@pytest.mark.parametrize(("text", "message"), [
    ("{", "不是有效的JSON（第1行第2列）"),
    ("[]", "应是一个JSON对象"),
    ('{"org": "540528", "org": "540527"}', "重复的键：org"),
    ('{"requested_yuan": NaN}', "不支持 NaN"),
    ("", "不是有效的JSON"),
])
def test_it_refuses_text_that_is_not_one_json_object(text, message) -> None:
    with pytest.raises(AssessError, match=message):
        parse_facts(text)
