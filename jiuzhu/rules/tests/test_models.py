"""Wage bases and approval rules keep their invariants in the database, with Chinese messages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jiuzhu.demo.rules import ILLUSTRATIVE_TIBET_MONTHLY, SOURCE, load_demo_rules
from jiuzhu.rules.actions import record_wage_base
from jiuzhu.rules.models import ApprovalRule, WageBase

pytestmark = pytest.mark.django_db


def row(**kw) -> WageBase:  # type: ignore[no-untyped-def]
    values = {"province_code": "110000", "year": 2024, "monthly_amount": Decimal("10000.00"), "source": "测试"}
    return WageBase(**{**values, **kw})


def test_it_keeps_one_base_per_province_and_year(db) -> None:
    row().save()
    with pytest.raises(ValidationError, match="该省份该年度已有工资基数"):
        row().full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row().save()


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-0.01")])
def test_it_refuses_a_base_that_is_not_positive(db, amount) -> None:
    with pytest.raises(ValidationError, match="职工月平均工资必须大于0"):
        row(monthly_amount=amount).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row(monthly_amount=amount).save()


@pytest.mark.parametrize("code", ["540500", "54000", "xx0000"])
def test_it_refuses_a_code_that_is_not_a_province(db, code) -> None:
    with pytest.raises(ValidationError, match="省级区划代码"):
        row(province_code=code).full_clean()


def test_recording_a_base_again_replaces_it(db) -> None:
    record_wage_base(province_code="110000", year=2024, monthly_amount=Decimal("1.00"), source="a")
    record_wage_base(province_code="110000", year=2024, monthly_amount=Decimal("2.00"), source="b")
    assert WageBase.objects.get(province_code="110000").monthly_amount == Decimal("2.00")


def test_the_demo_has_an_illustrative_tibet_base_for_every_year_from_2017_to_2026(db) -> None:
    load_demo_rules()
    load_demo_rules()  # idempotent
    rows = WageBase.objects.filter(province_code="540000").order_by("year")
    assert [r.year for r in rows] == list(range(2017, 2027))
    for r in rows:
        assert r.is_illustrative and r.source == SOURCE == "示例数据（待管理员按统计公报核实）"
        assert r.monthly_amount == ILLUSTRATIVE_TIBET_MONTHLY[r.year]
        assert Decimal(100000) <= r.monthly_amount * 12 <= Decimal(150000)  # a year
    amounts = [r.monthly_amount for r in rows]
    assert amounts == sorted(amounts)


def test_an_approval_rule_reads_its_steps_with_the_collective_decision_last(tibet) -> None:
    rule = ApprovalRule(org=tibet.orgs["540500"], min_amount=Decimal(0), steps=["dept_head"], collective=True)
    assert rule.step_codes == ["dept_head", "collective"]
    assert str(rule) == "山南市人民检察院 · 0元起 · dept_head→collective"
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRule.objects.create(org=tibet.orgs["540500"], min_amount=Decimal(-1), steps=["chief"])
