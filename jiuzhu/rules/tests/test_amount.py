"""The cap (months × the province's wage base of the previous year) and the review screen's calculation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.orgs.actions import create_organisation
from jiuzhu.orgs.models import Organisation, OrgSetting
from jiuzhu.rules.actions import record_wage_base
from jiuzhu.rules.amount import AmountFacts, advance_cap_for, calculate, cap_for, months_cap, parse_money
from jiuzhu.rules.errors import AmountFactsError, NoWageBase
from jiuzhu.rules.models import WageBase

pytestmark = pytest.mark.django_db

DB_SETTINGS = settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
bases = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
months = st.integers(min_value=1, max_value=120)


def base(code: str, year: int, amount: str) -> None:
    record_wage_base(province_code=code, year=year, monthly_amount=Decimal(amount), source="测试")


def test_it_multiplies_exactly_in_decimal() -> None:
    cap = months_cap(Decimal("12345.67"), 36)
    assert cap == Decimal("444444.12") and str(cap) == "444444.12"
    assert months_cap(Decimal("0.01"), 1) == Decimal("0.01")
    assert str(months_cap(Decimal("12345"), 36)) == "444420.00"


@given(monthly=bases, n=months)
def test_it_is_months_times_base_for_any_figures(monthly: Decimal, n: int) -> None:
    cap = months_cap(monthly, n)
    assert isinstance(cap, Decimal) and cap.as_tuple().exponent == -2
    assert cap == monthly * n  # exact: no rounding is ever needed
    assert cap > 0


@DB_SETTINGS
@given(table=st.dictionaries(st.tuples(st.sampled_from(["540000", "110000", "650000"]),
                                       st.integers(min_value=2015, max_value=2030)), bases, min_size=1, max_size=8),
       cap_months=st.dictionaries(st.sampled_from(["540000", "110000", "650000"]), months),
       per_case=st.dictionaries(st.sampled_from(["540000", "110000", "650000"]), st.integers(0, 2_000_000)))
def test_it_caps_every_province_year_of_the_table_at_months_times_base(tibet, table, cap_months, per_case) -> None:
    with transaction.atomic():
        orgs = {"540000": tibet.orgs["540528"]}
        for code in ["110000", "650000"]:
            orgs[code] = create_organisation(name=f"测试{code}人民检察院", code=code[:2] + "0101")
        for (code, year), monthly in table.items():
            record_wage_base(province_code=code, year=year, monthly_amount=monthly, source="测试")
        for code, n in cap_months.items():
            OrgSetting.objects.create(org=orgs[code], key="amount.cap_months", value=n)
        for code, yuan in per_case.items():
            OrgSetting.objects.create(org=orgs[code], key="amount.per_case_cap_yuan", value=yuan)
        for (code, year), monthly in table.items():
            cap = cap_for(orgs[code], dt.date(year + 1, 6, 30))
            n = cap_months.get(code, 36)
            assert (cap.base_year, cap.province_code, cap.base_monthly_yuan, cap.cap_months) == (year, code, monthly, n)
            assert cap.cap_yuan == monthly * n >= 0
            limit = per_case.get(code, 0)
            assert cap.per_case_cap_yuan == (Decimal(limit) if limit else None)
            assert cap.effective_cap_yuan == (min(monthly * n, Decimal(limit)) if limit else monthly * n) >= 0
            assert all(isinstance(v, Decimal) for v in [cap.cap_yuan, cap.effective_cap_yuan, cap.base_monthly_yuan])
        transaction.set_rollback(True)


def test_it_takes_the_base_of_the_year_before_the_decision(tibet) -> None:
    county = tibet.orgs["540528"]
    assert cap_for(county, dt.date(2026, 1, 1)).base_year == 2025
    assert cap_for(county, dt.date(2025, 12, 31)).base_year == 2024
    cap = cap_for(county, dt.date(2026, 11, 29))
    assert (cap.base_monthly_yuan, cap.cap_months, cap.cap_yuan) == (Decimal("11900.00"), 36, Decimal("428400.00"))
    assert cap.is_illustrative and cap.statistic == "城镇非私营单位就业人员平均工资"


def test_it_names_the_province_and_year_when_the_base_is_missing(tibet) -> None:
    WageBase.objects.filter(year=2025).delete()
    with pytest.raises(NoWageBase) as e:
        cap_for(tibet.orgs["540528"], dt.date(2026, 11, 29))
    assert str(e.value) == "西藏自治区（540000）没有2025年的职工月平均工资基数，请系统管理员在“工资基数”中录入。"
    lone = create_organisation(name="测试区人民检察院", code="110101")
    with pytest.raises(NoWageBase, match="^区划代码110000没有2019年"):
        cap_for(lone, dt.date(2020, 3, 1))


def test_it_takes_cap_months_from_the_province_setting(tibet, setting) -> None:
    setting("540000", "amount.cap_months", 40)
    assert cap_for(tibet.orgs["540528"], dt.date(2026, 5, 1)).cap_yuan == Decimal("476000.00")


def test_it_reports_a_local_per_case_cap_beside_the_months_cap(tibet, setting) -> None:
    setting("540500", "amount.per_case_cap_yuan", 50000)
    cap = cap_for(tibet.orgs["540528"], dt.date(2026, 5, 1))
    assert (cap.cap_yuan, cap.per_case_cap_yuan, cap.effective_cap_yuan) == (
        Decimal("428400.00"), Decimal("50000.00"), Decimal("50000.00"))
    assert "本地单件上限50000.00元" in cap.explanation()
    region = cap_for(tibet.orgs["540000"], dt.date(2026, 5, 1))
    assert region.per_case_cap_yuan is None and region.effective_cap_yuan == region.cap_yuan


def test_it_limits_advance_aid_to_three_months_by_default(tibet) -> None:
    assert advance_cap_for(tibet.orgs["540528"], dt.date(2026, 5, 1)) == Decimal("35700.00")


@pytest.mark.parametrize("value", [1.5, True, "12.345", "-1", "1e5", " ", "一万", Decimal("NaN"), Decimal("0.001")])
def test_it_refuses_money_that_is_not_exact_yuan_and_fen(value) -> None:
    with pytest.raises(AmountFactsError, match="金额"):
        parse_money(value, "金额")


def test_it_reads_money_as_decimal() -> None:
    assert parse_money("50000", "金额") == Decimal("50000.00")
    assert parse_money(12, "金额") == Decimal("12.00")
    assert parse_money(Decimal("1E+5"), "金额") == Decimal("100000.00")


class TestCalculation:
    def test_it_limits_the_ceiling_by_court_damages_and_flags_the_proposal(self, tibet) -> None:
        calc = calculate(tibet.orgs["540528"], dt.date(2026, 5, 1),
                         AmountFacts(proposed_yuan=Decimal("60000"), court_damages_yuan=Decimal("50000.00"),
                                     harm_yuan=Decimal("80000"), compensation_received_yuan=Decimal("10000"),
                                     fault_percent=Decimal("20"), family_monthly_income_yuan=Decimal("3000"),
                                     household_size=4, local_living_cost_yuan=Decimal("900")))
        assert calc.ceiling_yuan == Decimal("50000.00")
        assert not calc.over_cap and calc.over_court_damages and not calc.below_minimum
        assert calc.net_loss_yuan == Decimal("70000.00") and calc.fault_adjusted_loss_yuan == Decimal("56000.00")
        assert calc.per_capita_income_yuan == Decimal("750.00") and calc.below_living_cost is True
        text = "\n".join(calc.explanations)
        assert "以2025年职工月平均工资11900.00元为基数" in text and "示例数据" in text
        assert "不得超过该数额" in text and "人均750.00元，低于当地基本生活费用900.00元" in text
        assert calc.route.labels == ("部门负责人", "分管副检察长", "检察长办公会")

    def test_it_flags_exceeding_the_cap_and_adds_the_exceed_cap_steps(self, tibet) -> None:
        calc = calculate(tibet.orgs["540528"], dt.date(2026, 5, 1), AmountFacts(proposed_yuan=Decimal("428400.01")))
        assert calc.over_cap and calc.route.steps == ("dept_head", "deputy_chief", "chief", "collective")
        assert any("突破限额" in line for line in calc.explanations)
        at_cap = calculate(tibet.orgs["540528"], dt.date(2026, 5, 1), AmountFacts(proposed_yuan=Decimal("428400")))
        assert not at_cap.over_cap

    def test_it_flags_an_amount_below_the_local_minimum(self, tibet, setting) -> None:
        setting("540000", "amount.minimum_yuan", 3000)
        calc = calculate(tibet.orgs["540528"], dt.date(2026, 5, 1), AmountFacts(proposed_yuan=Decimal("2999.99")))
        assert calc.below_minimum and calc.minimum_yuan == Decimal("3000.00")
        assert not calculate(tibet.orgs["540528"], dt.date(2026, 5, 1),
                             AmountFacts(proposed_yuan=Decimal("3000"))).below_minimum

    def test_it_suggests_a_range_from_the_hardship_tiers_with_the_key_group_extra(self, tibet, setting) -> None:
        setting("540000", "amount.hardship_tiers", [{"name": "一档", "percent_of_cap": 10},
                                                    {"name": "二档", "percent_of_cap": 20},
                                                    {"name": "三档", "percent_of_cap": 30}])
        setting("540000", "amount.key_group_extra_percent", 10)
        org = tibet.orgs["540528"]
        calc = calculate(org, dt.date(2026, 5, 1), AmountFacts(hardship_tier="二档", key_groups=("未成年人",)))
        assert [(t.name, t.low_yuan, t.high_yuan) for t in calc.tiers] == [
            ("一档", Decimal("0.00"), Decimal("42840.00")), ("二档", Decimal("42840.00"), Decimal("85680.00")),
            ("三档", Decimal("85680.00"), Decimal("128520.00"))]
        assert calc.suggested_range == (Decimal("47124.00"), Decimal("94248.00"))
        assert calc.key_group_extra_percent == 10 and calc.key_group_extra_groups == ("未成年人",)
        plain = calculate(org, dt.date(2026, 5, 1), AmountFacts(hardship_tier="二档", key_groups=("低保户",)))
        assert plain.suggested_range == (Decimal("42840.00"), Decimal("85680.00")) and plain.key_group_extra_percent == 0
        with pytest.raises(AmountFactsError, match="困难档次“四档”不存在"):
            calculate(org, dt.date(2026, 5, 1), AmountFacts(hardship_tier="四档"))

    def test_it_clips_the_suggested_range_to_the_ceiling(self, tibet, setting) -> None:
        setting("540000", "amount.hardship_tiers", [{"name": "一档", "percent_of_cap": 50}])
        setting("540500", "amount.per_case_cap_yuan", 50000)
        calc = calculate(tibet.orgs["540528"], dt.date(2026, 5, 1), AmountFacts(hardship_tier="一档"))
        assert calc.suggested_range == (Decimal("0.00"), Decimal("50000.00"))

    @pytest.mark.parametrize(("facts", "message"), [
        (AmountFacts(proposed_yuan=1000.0), "拟救助金额"),  # type: ignore[arg-type]
        (AmountFacts(proposed_yuan=Decimal(0)), "拟救助金额必须大于0"),
        (AmountFacts(harm_yuan=Decimal("-1")), "实际损害金额"),
        (AmountFacts(fault_percent=Decimal("101")), "过错比例"),
        (AmountFacts(household_size=0), "家庭人口数"),
        (AmountFacts(key_groups=("外星人",)), "未知的人员类别"),
    ])
    def test_it_refuses_malformed_facts(self, tibet, facts, message) -> None:
        with pytest.raises(AmountFactsError, match=message):
            calculate(tibet.orgs["540528"], dt.date(2026, 5, 1), facts)


def test_the_demo_bases_cover_decisions_from_2018_to_2027(tibet) -> None:
    county = Organisation.objects.get(code="540531")
    for year in range(2018, 2028):
        cap = cap_for(county, dt.date(year, 7, 1))
        assert cap.is_illustrative and cap.cap_yuan == cap.base_monthly_yuan * 36
