"""Importing ledgers this project has never seen (contracts §3) gives exactly the §4 figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.cases.models import AidCase, CaseEvent, CaseGroup, CaseParty, Channel, Group
from jiuzhu.funds.models import Budget, Contribution
from jiuzhu.orgs.models import Organisation
from jiuzhu.people.models import Person
from jiuzhu.stats import ledger
from jiuzhu.stats.queries import compute
from jiuzhu.stats.tests.helpers import ORG_CODES, comparable, id_number, reference, workbook
from jiuzhu.support.models import Service

pytestmark = pytest.mark.django_db


def _row(n: int, **kw: Any) -> dict[str, Any]:
    row = {"案件编号": f"台账-{n}", "承办院": "540528", "申请人姓名": f"测试{n}", "身份证号码": id_number(n),
           "人员类别": "", "救助情形": "E1", "受理日期": "2021-03-01", "决定日期": "2021-03-10", "决定结果": "救助",
           "救助金额(元)": "10000", "联合救助出资": None, "发放方式": "一次性", "发放日期": "2021-03-20",
           "心理疏导(人次)": None, "法律服务(人次)": None}
    row.update(kw)
    return row


LEDGER = [
    _row(1, 人员类别="妇女、农村困难群众", 法律服务="1"),
    _row(2, 承办院="540527", 救助金额="25000", 联合救助出资="540500:15000;540527:10000", 人员类别="未成年人，残疾人"),
    _row(3, 承办院="山南市人民检察院", 决定日期="2022-01-05", 受理日期="2021-12-20", 人员类别="妇女", 发放日期=None),
    _row(4, 决定结果="不予救助", 救助金额=None, 发放方式=None, 发放日期=None, **{"心理疏导(人次)": 2}),
    _row(5, 身份证号码=id_number(1), 决定日期="2022-02-01", 受理日期="2022-01-20", 人员类别="妇女",
         发放日期="2022-02-03"),  # person 1 again
    _row(6, 承办院="540531", 救助金额="30000.50", 联合救助出资="540528:30000.50", 发放方式="第三方代管"),
]


def _fix(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """_row() takes Python names; the ledger's titles carry (元)/(人次)."""
    out = []
    for r in rows:
        r = dict(r)
        for short, title in (("救助金额", "救助金额(元)"), ("心理疏导", "心理疏导(人次)"), ("法律服务", "法律服务(人次)")):
            if short in r:
                r[title] = r.pop(short)
        out.append(r)
    return out


def _import(tmp_path, rows: list[dict[str, Any]], name: str = "ledger.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(workbook(rows))
    out = io.StringIO()
    call_command("import-ledger", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_imports_a_ledger_and_the_figures_follow_the_definitions(world, tmp_path) -> None:
    rows = _fix(LEDGER)
    assert _import(tmp_path, rows).strip() == "导入 6 件，跳过 0 件（已存在）"
    assert AidCase.objects.filter(channel=Channel.LEDGER).count() == 6
    assert Person.objects.count() == 5  # the ID number is the identity
    for scope in ("540000", "540500", "540528", "540527", "540531"):
        for start, end in [("2021-01-01", "2021-12-31"), ("2018-01-01", "2026-12-31"), ("2022-01-01", "2022-01-31")]:
            a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            got = comparable(compute(Organisation.objects.get(code=scope), a, b).as_json())
            assert got == reference(rows, scope, a, b), (scope, start)
    s = compute(world.orgs["540528"], dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert s.cases == 2 and s.amount == Decimal("40000.50") and s.refused == 1  # its own, and what it paid of 540531's
    assert s.services == {"心理疏导": 2, "法律服务": 1}
    # History does not charge the budgets: the contribution lines sit on empty budget rows.
    assert Contribution.objects.count() == 6
    assert all(b.committed == 0 and b.paid == 0 for b in Budget.objects.all())
    assert CaseEvent.objects.filter(action="import_ledger").count() == 6


def test_it_is_idempotent(world, tmp_path) -> None:
    rows = _fix(LEDGER)
    _import(tmp_path, rows)
    assert _import(tmp_path, rows).strip() == "导入 0 件，跳过 6 件（已存在）"
    more = rows + _fix([_row(7)])
    assert _import(tmp_path, more).strip() == "导入 1 件，跳过 6 件（已存在）"
    assert AidCase.objects.count() == 7 and Service.objects.count() == 2


def test_a_bad_row_imports_nothing_and_names_the_row(world, tmp_path) -> None:
    rows = _fix(LEDGER) + _fix([_row(9, 身份证号码="540521198001010000", 救助金额="-5"),
                                 _row(10, 联合救助出资="540500:5000;540528:4000")])
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何案件"):
        call_command("import-ledger", str(path), stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    assert "第8行 身份证号码: 身份证号码校验位不正确" in text
    assert "第8行 救助金额(元): 金额必须大于零" in text
    assert "第9行 联合救助出资: 各院出资合计9000.00元，与救助金额10000.00元不一致" in text
    assert not AidCase.objects.exists() and not Person.objects.exists()
    errors = tmp_path / "bad.errors.xlsx"
    header, raw = ledger.read_workbook(errors.read_bytes())
    assert header[-1] == "错误" and len(raw) == 8
    assert "身份证号码: 身份证号码校验位不正确" in raw[6][-1] and raw[0][-1] in (None, "")


@pytest.mark.parametrize(("change", "message"), [
    ({"承办院": "540999"}, "第2行 承办院: 找不到检察院“540999”"),
    ({"人员类别": "学生"}, "第2行 人员类别: “学生”不是规定的人员类别"),
    ({"救助情形": "E9"}, "第2行 救助情形: “E9”应为 E1 至 E7"),
    ({"决定日期": "2021-02-01"}, "第2行 决定日期: 不能早于受理日期"),
    ({"决定日期": "2031-02-01"}, "第2行 决定日期: 不能晚于今天"),
    ({"决定结果": "同意"}, "第2行 决定结果: 应为“救助”或“不予救助”"),
    ({"救助金额(元)": "100.001"}, "第2行 救助金额(元): “100.001”超过两位小数"),
    ({"发放方式": None}, "第2行 发放方式: 决定救助时必填"),
    ({"发放日期": "2021-03-01"}, "第2行 发放日期: 不能早于决定日期"),
    ({"法律服务(人次)": "1.5"}, "第2行 法律服务(人次): “1.5”不是不小于0的整数"),
    ({"申请人姓名": None}, "第2行 申请人姓名: 必填"),
    ({"联合救助出资": "540500=10000"}, "第2行 联合救助出资: “540500=10000”应为“代码:金额”"),
])
def test_each_rule_of_the_ledger_is_checked(world, tmp_path, change, message) -> None:
    path = tmp_path / "one.xlsx"
    path.write_bytes(workbook([{**_row(1), **change}]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-ledger", str(path), stdout=io.StringIO(), stderr=err)
    assert message in err.getvalue()
    assert not AidCase.objects.exists()


def test_a_changed_row_is_a_conflict_not_an_overwrite(world, tmp_path) -> None:
    _import(tmp_path, _fix(LEDGER))
    changed = _fix(LEDGER)
    changed[0]["救助金额(元)"] = "12000"
    path = tmp_path / "changed.xlsx"
    path.write_bytes(workbook(changed))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-ledger", str(path), stdout=io.StringIO(), stderr=err)
    assert "第2行 案件编号: 加查县人民检察院已有案件台账-1，与本行不一致（救助金额(元)）" in err.getvalue()
    assert AidCase.objects.get(number="台账-1").decided_amount == Decimal("10000.00")


def test_dry_run_and_unreadable_files_write_nothing(world, tmp_path) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(workbook(_fix(LEDGER)))
    out = io.StringIO()
    call_command("import-ledger", str(path), "--dry-run", stdout=out)
    assert "可导入 6 件" in out.getvalue() and not AidCase.objects.exists()
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="无法读取该文件"):
        call_command("import-ledger", str(junk))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import-ledger", str(tmp_path / "missing.xlsx"))
    headless = tmp_path / "headless.xlsx"
    headless.write_bytes(workbook([], header=["案件编号", "承办院"]))
    with pytest.raises(CommandError, match="表头缺少列：申请人姓名"):
        call_command("import-ledger", str(headless))


# ---------------------------------------------------------------------------------------------
# Property tests: random ledgers


DAYS = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2025, 12, 31))


@st.composite
def ledger_rows(draw: Any) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=12))
    people = draw(st.integers(min_value=1, max_value=n))
    rows = []
    for i in range(n):
        lead = draw(st.sampled_from(ORG_CODES))
        accepted = draw(DAYS)
        decided = accepted + dt.timedelta(days=draw(st.integers(0, 40)))
        grant = draw(st.booleans()) or i == 0
        groups = draw(st.lists(st.sampled_from(Group.values), max_size=3, unique=True))
        row = {"案件编号": f"R{i}", "承办院": lead, "申请人姓名": f"人{i}",
               "身份证号码": id_number(draw(st.integers(0, people - 1))), "人员类别": "、".join(groups),
               "救助情形": "E1", "受理日期": accepted, "决定日期": decided, "决定结果": "救助" if grant else "不予救助",
               "心理疏导(人次)": draw(st.integers(0, 3)) or None, "法律服务(人次)": draw(st.integers(0, 3)) or None}
        if grant:
            payers = draw(st.lists(st.sampled_from(ORG_CODES), max_size=3, unique=True))
            amounts = [Decimal(draw(st.integers(1, 5_000_000))) / 100 for _ in payers]
            total = sum(amounts, Decimal(0)) if payers else Decimal(draw(st.integers(100, 5_000_000))) / 100
            row |= {"救助金额(元)": f"{total:.2f}", "发放方式": "一次性",
                    "联合救助出资": ";".join(f"{o}:{a:.2f}" for o, a in zip(payers, amounts, strict=True)) or None}
        rows.append(row)
    return rows


def _wipe() -> None:
    """Empty the database of cases (the 'empty database' of the round trip)."""
    # Case events are append-only (no queryset delete): they go with their cases (cascade).
    Service.objects.all().delete()
    Contribution.objects.all().delete()
    CaseGroup.objects.all().delete()
    CaseParty.objects.all().delete()
    AidCase.objects.all().delete()
    Person.objects.all().delete()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ledger_rows(), scope=st.sampled_from(["540000", "540500", *ORG_CODES[1:]]),
       start=DAYS, days=st.integers(0, 2000))
def test_any_ledger_imports_to_the_definitions_and_round_trips(world, rows, scope, start, days) -> None:
    end = start + dt.timedelta(days=days)
    org = Organisation.objects.get(code=scope)
    with transaction.atomic():
        checked = ledger.check(workbook(rows))
        assert checked.errors == []
        ledger.import_rows(checked, acting_user=None)
        first = compute(org, start, end).as_json()
        assert comparable(first) == reference(rows, scope, start, end)
        # export → import into an empty database → the same figures.
        data, _ = ledger.ledger_workbook(org, start, end)
        _wipe()
        again = ledger.check(data)
        assert again.errors == []
        ledger.import_rows(again, acting_user=None)
        assert compute(org, start, end).as_json() == first
        transaction.set_rollback(True)


def test_a_ledger_of_years_checks_in_one_pass(world) -> None:
    """1,200 rows: the stored-case lookup is one query, not an OR per row (SQLite refuses 1,000+ terms)."""
    rows = [_row(i, 案件编号=f"Y-{i}") for i in range(1200)]
    checked = ledger.check(workbook(_fix(rows)))
    assert checked.errors == [] and len(checked.new) == 1200


def test_titles_are_matched_leniently_and_extra_columns_ignored(world, tmp_path) -> None:
    rows = _fix(LEDGER)
    header = [" 案件编号 ", "承办院", "申请人姓名", "身份证号码", "人员类别", "救助情形", "受理日期", "决定日期", "决定结果",
              "救助金额（元）", "联合救助出资", "发放方式", "发放日期", "心理疏导 (人次)", "法律服务(人次)", "备注"]
    keyed = [{h: r.get(h.strip().replace("（", "(").replace("）", ")").replace(" ", "")) for h in header} for r in rows]
    for r in keyed:
        r["备注"] = "旧台账"
        if r["联合救助出资"]:
            r["联合救助出资"] = r["联合救助出资"].replace(";", "；")
    checked = ledger.check(workbook(keyed, header=header))
    assert checked.errors == [] and len(checked.new) == 6
    assert sum(r.services.get("counselling", 0) for r in checked.new) == 2


def test_further_service_kinds_survive_the_round_trip(world) -> None:
    rows = _fix([_row(1, **{"生活关爱(人次)": 3, "法律服务(人次)": 1})])
    ledger.import_rows(ledger.check(workbook(rows, header=ledger.COLUMNS)), acting_user=None)
    org, a, b = world.orgs["540500"], dt.date(2021, 1, 1), dt.date(2021, 12, 31)
    first = compute(org, a, b).as_json()
    assert first["services"] == {"心理疏导": 0, "法律服务": 1, "生活关爱": 3}
    data, _ = ledger.ledger_workbook(org, a, b)
    _wipe()
    ledger.import_rows(ledger.check(data), acting_user=None)
    assert compute(org, a, b).as_json() == first
