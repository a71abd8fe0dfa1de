"""The commands of contracts §2–§5 on the Shannan demo (contracts §6)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.orgs.models import Organisation
from jiuzhu.stats import ledger
from jiuzhu.stats.queries import compute
from jiuzhu.stats.tests.helpers import comparable, reference

pytestmark = pytest.mark.django_db


def _stats(*args: str) -> dict:
    out = io.StringIO()
    call_command("stats", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(("start", "end", "cases", "persons", "amount"), [
    ("2018-01-01", "2022-12-31", 46, 46, "848000.00"),
    ("2022-01-01", "2023-06-07", 42, 42, "533000.00"),
    ("2018-01-01", "2021-12-31", 4, 4, "315000.00"),
])
def test_it_gives_the_seeds_figures(demo_loaded, start, end, cases, persons, amount) -> None:
    d = _stats("--from", start, "--to", end, "--org", "540500")
    assert (d["cases"], d["persons"], d["amount_yuan"]) == (cases, persons, amount)
    assert set(d) == {"org", "from", "to", "cases", "persons", "amount_yuan", "refused", "joint", "by_year", "by_org",
                      "by_group", "services"}
    assert d["org"] == {"code": "540500", "name": "山南市人民检察院"}
    assert sum(r["cases"] for r in d["by_year"]) == cases


def test_it_gives_the_joint_cases_and_services_of_2022(demo_loaded) -> None:
    d = _stats("--from", "2022-01-01", "--to", "2023-06-07", "--org", "山南市人民检察院")
    assert d["joint"] == {"cases": 14, "persons": 14, "amount_yuan": "350000.00"}
    assert d["services"] == {"心理疏导": 2, "法律服务": 14}
    assert d["by_year"] == [{"year": 2022, "cases": 42, "persons": 42, "amount_yuan": "533000.00"}]
    assert sum(Decimal(r["amount_yuan"]) for r in d["by_org"]) == Decimal("533000.00")
    joint_counties = {"540528", "540531", "540527", "540524"}
    assert joint_counties <= {r["code"] for r in d["by_org"]}


def test_a_county_sees_its_own_share_of_a_joint_case(demo_loaded) -> None:
    d = _stats("--from", "2022-01-01", "--to", "2022-12-31", "--org", "540528")
    # 加查: 4 joint cases (10,000 of each) and one case of its own (14,000).
    assert d["cases"] == 5 and d["amount_yuan"] == "54000.00"
    assert d["joint"] == {"cases": 4, "persons": 4, "amount_yuan": "40000.00"}
    assert [r["code"] for r in d["by_org"]] == ["540528"]


def test_without_org_it_takes_the_top_procuratorate(demo_loaded) -> None:
    d = _stats("--from", "2022-01-01", "--to", "2023-06-07")
    assert d["org"]["code"] == "540000" and d["cases"] == 42


def test_the_press_release_says_the_seeds_words(demo_loaded) -> None:
    out = io.StringIO()
    call_command("press-release", "--from", "2022-01-01", "--to", "2023-06-07", "--org", "540500",
                 "--compare-from", "2018-01-01", "--compare-to", "2021-12-31", stdout=out)
    text = out.getvalue()
    for words in ("42件42人", "53.3万元", "是前4年总和的10倍", "14件14人", "35.0万元", "加查县", "浪卡子县", "洛扎县",
                  "琼结县", "心理疏导方式2人次", "法律服务14人次"):
        assert words in text, words
    out = io.StringIO()
    call_command("press-release", "--from", "2018-01-01", "--to", "2022-12-31", "--org", "540500", stdout=out)
    assert "46件46人" in out.getvalue() and "84.8万元" in out.getvalue()


def test_the_press_release_gives_a_percentage_below_twice(demo_loaded) -> None:
    out = io.StringIO()
    call_command("press-release", "--from", "2018-01-01", "--to", "2022-12-31", "--org", "540500",
                 "--compare-from", "2022-01-01", "--compare-to", "2022-12-31", stdout=out)
    assert "增长9.5%" in out.getvalue()  # 46 against 42


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2022-13-01", "--to", "2022-12-31"], "不是有效日期"),
    (["--from", "2022-12-31", "--to", "2022-01-01"], "早于起始日期"),
    (["--from", "2022-01-01", "--to", "2022-12-31", "--org", "999999"], "找不到检察院"),
])
def test_bad_input_is_a_chinese_message(demo_loaded, args, message) -> None:
    for command in ("stats", "press-release"):
        with pytest.raises(CommandError, match=message):
            call_command(command, *args, stdout=io.StringIO())


def test_the_figures_take_the_same_queries_whatever_the_cases(demo_loaded) -> None:
    city = Organisation.objects.get(code="540500")
    with CaptureQueriesContext(connection) as few:
        compute(city, dt.date(2019, 1, 1), dt.date(2019, 12, 31))  # one case
    with CaptureQueriesContext(connection) as many:
        compute(city, dt.date(2018, 1, 1), dt.date(2026, 12, 31))  # every decided case
    assert len(many) == len(few) <= 21  # 19 aggregates, the scope's procuratorates and its joint cases led outside


def test_the_exported_ledger_gives_the_same_figures(demo_loaded, tmp_path) -> None:
    """export → (read back) → the §4 figures recomputed from the rows equal the stored figures."""
    path = tmp_path / "l.xlsx"
    call_command("export-ledger", str(path), "--from", "2018-01-01", "--to", "2026-12-31", "--org", "540500",
                 stdout=io.StringIO())
    header, raw = ledger.read_workbook(path.read_bytes())
    rows = [dict(zip(header, (None if v is None else v for v in r), strict=False)) for r in raw]
    for r in rows:
        for k in ("受理日期", "决定日期", "发放日期"):
            value = r.get(k)
            if isinstance(value, dt.datetime):
                r[k] = value.date()
    for start, end in [("2018-01-01", "2022-12-31"), ("2022-01-01", "2023-06-07"), ("2026-01-01", "2026-12-31")]:
        for scope in ("540500", "540528", "540527"):
            got = comparable(_stats("--from", start, "--to", end, "--org", scope))
            assert got == reference(rows, scope, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    # The checked ledger re-imports as "already there", not as new or conflicting cases.
    checked = ledger.check(path.read_bytes())
    assert checked.errors == [] and checked.new == [] and checked.existing == len(rows)


def test_the_demo_holds_a_finished_import_that_changed_nothing(demo_loaded) -> None:
    from jiuzhu.stats.models import LedgerImport

    job = LedgerImport.objects.get()
    assert job.status == LedgerImport.Status.DONE and job.imported == 0 and job.skipped == 5
    assert job.message == "导入 0 件，跳过 5 件（已存在）"
