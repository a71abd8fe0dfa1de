"""The statistics screen, drill-down, exports and the web ledger import: scope, figures, query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases.models import AidCase
from jiuzhu.orgs.models import OrgSetting
from jiuzhu.stats import ledger
from jiuzhu.stats.models import LedgerImport
from jiuzhu.stats.tests.helpers import id_number, shannan_ledger, workbook

pytestmark = pytest.mark.django_db
PERIOD = "start=2022-01-01&end=2023-06-07"


@pytest.fixture
def shannan(world):  # type: ignore[no-untyped-def]
    checked = ledger.check(workbook(shannan_ledger()))
    assert checked.errors == []
    ledger.import_rows(checked, acting_user=None)
    return world


def _get(client, world, code: str, role: str, url: str):  # type: ignore[no-untyped-def]
    client.force_login(world.user(code, role))
    return client.get(url)


def test_the_city_screen_shows_the_seeds_figures(shannan, client) -> None:
    r = _get(client, shannan, "540500", "stats", f"/stats/?org=540500&{PERIOD}&compare_start=2018-01-01"
                                                 "&compare_end=2021-12-31")
    html = r.content.decode()
    assert r.status_code == 200
    for words in ("42件", "42人", "533000.00元", "14件14人", "53.3万元", "是前4年总和的10倍", "加查县人民检察院", "复制文字",
                  "echarts.min.js", "受理件数"):
        assert words in html, words
    assert r.context["s"].amount == 533000


def test_a_county_sees_only_its_own_figures(shannan, client) -> None:
    r = _get(client, shannan, "540528", "kongshen", f"/stats/?{PERIOD}")
    assert r.status_code == 200
    assert r.context["org"].code == "540528"
    assert [c for c, _ in r.context["form"].fields["org"].choices] == ["540528"]
    assert r.context["s"].cases == 5 and r.context["s"].amount == 54000
    assert client.get(f"/stats/?org=540500&{PERIOD}").status_code == 404
    assert client.get(f"/stats/cases/?org=540500&{PERIOD}").status_code == 404
    assert client.get(f"/stats/export/report.xlsx?org=540500&{PERIOD}").status_code == 404
    assert client.get(f"/stats/cases/?org=540528&{PERIOD}&member=540527").status_code == 404


@pytest.mark.parametrize(("code", "role"), [("540528", "case_prosecutor"), ("540500", "admin")])
def test_roles_without_statistics_are_refused(world, client, code, role) -> None:
    assert _get(client, world, code, role, "/stats/").status_code == 403


def test_bad_dates_show_a_message_not_an_error(shannan, client) -> None:
    r = _get(client, shannan, "540500", "stats", "/stats/?org=540500&start=2023-01-01&end=2022-01-01")
    assert r.status_code == 200 and "截止日期不能早于起始日期" in r.content.decode()
    r = client.get("/stats/?org=540528&start=nonsense&end=2022-01-01")
    assert r.status_code == 200 and "起始日期：请输入有效日期（年-月-日）" in r.content.decode()
    assert r.context["org"].code == "540528"  # the scope asked for is kept


def test_the_screen_takes_the_same_queries_for_2_or_40_cases(world, client) -> None:
    client.force_login(world.user("540500", "stats"))
    rows = shannan_ledger()
    counts = []
    for few in (rows[4:6], rows[6:46]):
        ledger.import_rows(ledger.check(workbook(few)), acting_user=None)
        with CaptureQueriesContext(connection) as q:
            assert client.get(f"/stats/?org=540500&{PERIOD}").status_code == 200
        counts.append(len(q))
        with CaptureQueriesContext(connection) as d:
            assert client.get(f"/stats/cases/?org=540500&{PERIOD}").status_code == 200
        counts.append(len(d))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_drill_down_lists_the_cases_behind_a_figure(shannan, client) -> None:
    r = _get(client, shannan, "540500", "kongshen", f"/stats/cases/?org=540500&{PERIOD}&kind=joint")
    assert r.status_code == 200 and r.context["page"].paginator.count == 14
    r = client.get(f"/stats/cases/?org=540500&{PERIOD}&member=540528")
    assert r.context["page"].paginator.count == 5
    r = client.get(f"/stats/cases/?org=540500&{PERIOD}&year=2022&group=老年人")
    assert r.context["page"].paginator.count == sum(1 for x in shannan_ledger()[4:] if x["人员类别"] == "老年人")
    html = r.content.decode()
    assert "申请人" not in html.split("<tbody>")[1]  # no personal data in the list


def test_small_groups_are_not_published(shannan, client) -> None:
    OrgSetting.objects.create(org=shannan.orgs["540500"], key="stats.min_group_size", value=7)
    r = _get(client, shannan, "540500", "stats", f"/stats/?org=540500&{PERIOD}")
    rows = {g["group"]: g for g in r.context["groups"]}
    assert rows["退役军人"]["small"] and not rows["农村困难群众"]["small"]
    assert "不足7人" in r.content.decode()
    assert "退役军人" not in r.context["chart"]["groups"]
    book = load_workbook(io.BytesIO(client.get(f"/stats/export/groups.xlsx?org=540500&{PERIOD}").content))
    values = {row[0]: row[1] for row in book.active.iter_rows(min_row=3, values_only=True) if row[0]}
    assert values["退役军人"] == "不足7人" and values["农村困难群众"] == 12


def test_the_upward_report_has_the_reporting_columns(shannan, client) -> None:
    r = _get(client, shannan, "540500", "stats", f"/stats/export/report.xlsx?org=540500&{PERIOD}")
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[2]]
    assert header[:6] == ["单位（统计范围含下级院）", "受理件数", "其中主动救助", "救助件数", "救助人数", "救助金额(万元)"]
    assert "妇女(人)" in header and "妇女(万元)" in header
    total = [c.value for c in ws[3]]
    assert total[0] == "合计：山南市人民检察院" and total[3:6] == [42, 42, 53.3]
    assert len([row for row in ws.iter_rows(min_row=3, values_only=True) if isinstance(row[1], int)]) == 14  # + 本级
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT).exists()


def test_the_ledger_export_needs_full_data_rights_and_is_audited(shannan, client) -> None:
    assert _get(client, shannan, "540500", "stats", f"/stats/export/ledger.xlsx?org=540500&{PERIOD}").status_code == 403
    r = _get(client, shannan, "540500", "kongshen", f"/stats/export/ledger.xlsx?org=540500&{PERIOD}")
    assert r.status_code == 200
    header, raw = ledger.read_workbook(r.content)
    assert len(raw) == 42 and header[:2] == ["案件编号", "承办院"]
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, detail__rows=42).exists()


def _upload(client, rows, name="ledger.xlsx"):  # type: ignore[no-untyped-def]
    return client.post("/stats/import/", {"file": SimpleUploadedFile(name, workbook(rows))})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_web_import_runs_in_the_worker(world, client) -> None:
    client.force_login(world.user("540500", "kongshen"))
    r = _upload(client, shannan_ledger())
    job = LedgerImport.objects.get()
    assert r.status_code == 302 and r.url == f"/stats/import/{job.pk}/"
    assert client.get(f"/stats/import/{job.pk}/status.json").json()["status"] == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    status = client.get(f"/stats/import/{job.pk}/status.json").json()
    assert status["status"] == "done" and status["percent"] == 100 and status["imported"] == 46
    assert status["message"] == "导入 46 件，跳过 0 件（已存在）"
    assert AidCase.objects.count() == 46
    assert AidCase.objects.earliest("pk").events.get().actor == world.user("540500", "kongshen")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bad_web_import_writes_nothing_and_offers_the_errors(world, client) -> None:
    client.force_login(world.user("540528", "kongshen"))
    every = shannan_ledger()
    rows = [every[2], *every[4:7]]  # a case of the city, then three of 加查县
    rows[2] = {**rows[2], "身份证号码": id_number(1)[:-1] + "0"}
    _upload(client, rows)
    job = LedgerImport.objects.get()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    status = client.get(f"/stats/import/{job.pk}/status.json").json()
    assert status["status"] == "failed" and not AidCase.objects.exists()
    # A county user may import only its own cases: the city's rows are errors too.
    assert "第2行 承办院: 您无权导入山南市人民检察院的案件" in status["message"]
    assert "第4行 身份证号码: 身份证号码校验位不正确" in status["message"] and status["errors"] == 2
    errors = client.get(status["errors_url"])
    header, raw = ledger.read_workbook(b"".join(errors.streaming_content))  # streamed, decrypted
    assert header[-1] == "错误" and len(raw) == 4
    # Someone else's import does not exist for another user.
    client.force_login(world.user("540527", "kongshen"))
    assert client.get(f"/stats/import/{job.pk}/status.json").status_code == 404
    assert client.get(status["errors_url"]).status_code == 404


def test_the_upload_form_refuses_other_files(world, client) -> None:
    client.force_login(world.user("540528", "kongshen"))
    r = client.post("/stats/import/", {"file": SimpleUploadedFile("a.csv", b"x,y")})
    assert r.status_code == 200 and "请上传 Excel 工作簿（.xlsx）" in r.content.decode()
    assert not LedgerImport.objects.exists()
    client.force_login(world.user("540500", "stats"))
    assert client.get("/stats/import/").status_code == 403


def test_period_presets_cover_this_year(world, client) -> None:
    r = _get(client, world, "540500", "stats", "/stats/")
    assert r.context["start"] == dt.date(r.context["end"].year, 1, 1)


def test_the_further_figures_follow_a_real_case(world) -> None:
    from jiuzhu.funds.actions import set_budget
    from jiuzhu.lib import clock
    from jiuzhu.stats import queries

    today = clock.today()
    start = dt.date(today.year, 1, 1)
    county = world.orgs["540528"]
    set_budget(county, today.year, acting_user=world.user("540528", "finance"), amount=Decimal("100000"))
    case = world.to("paid", "540528", amount="8000")
    assert queries.accepted(county, start, today) == {"accepted": 1, "ex_officio": 1}
    assert [(r["label"], r["cases"], str(r["share"])) for r in queries.sources(county, start, today)] == [
        ("办案部门移送", 1, "100.0")]
    timing = queries.timing(county, start, today)
    assert timing["decision"] == {"n": 1, "mean": float((case.decided_on - case.applied_on).days),
                                  "median": (case.decided_on - case.applied_on).days,
                                  "max": (case.decided_on - case.applied_on).days}
    decision = next(r for r in queries.deadlines(county, start, today) if r["kind"] == "decision")
    assert (decision["total"], decision["on_time"], decision["late"]) == (1, 1, 0)
    [budget] = queries.budgets(county, start, today)
    assert budget["budgeted"] == 100000 and budget["committed"] == 8000 and str(budget["commit_rate"]) == "8.0"
    # Another county's figures are not in this scope.
    assert queries.accepted(world.orgs["540527"], start, today) == {"accepted": 0, "ex_officio": 0}


def _holds_in_clear(needles: list[bytes]) -> list[str]:
    """Where NEEDLES appear in clear: any column of stats_ledgerimport, any stored file (zips opened)."""
    import zipfile

    from django.conf import settings

    def texts(data: bytes) -> list[bytes]:
        out = [data]
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                out += [z.read(n) for n in z.namelist()]
        return out

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM stats_ledgerimport")
        values = [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for row in cursor.fetchall()
                  for v in row if v is not None]
    found = [f"stats_ledgerimport: {n.decode()}" for v in values for t in texts(v) for n in needles if n in t]
    for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*"):
        if path.is_file():
            found += [f"{path.name}: {n.decode()}" for t in texts(path.read_bytes()) for n in needles if n in t]
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_ended_import_keeps_no_id_number_in_clear_and_deletes_the_upload(world, client, settings) -> None:
    client.force_login(world.user("540528", "kongshen"))
    every = shannan_ledger()
    good = [every[4], every[5]]
    bad = [every[4], {**every[6], "身份证号码": id_number(1)[:-1] + "0"},
           {**every[5], "身份证号码": id_number(2, birth="19800230")}]  # the message must not quote its birth date
    needles = [r["身份证号码"].encode() for r in good + bad]
    _upload(client, good, name="good.xlsx")
    _upload(client, bad, name="bad.xlsx")
    uploads = [Path(settings.PRIVATE_MEDIA_ROOT) / j.upload.name for j in LedgerImport.objects.all()
               if hasattr(j, "upload")]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    done, failed = LedgerImport.objects.get(file_name="good.xlsx"), LedgerImport.objects.get(file_name="bad.xlsx")
    assert done.status == "done" and done.imported == 2 and failed.status == "failed" and failed.error_count == 2
    assert _holds_in_clear(needles + [b"19800230"]) == []
    # The uploads are gone; the errors workbook is kept (encrypted) until its owner deletes it.
    assert not done.upload and not failed.upload and not done.errors_workbook and failed.errors_workbook
    assert len(uploads) == 2 and not any(p.exists() for p in uploads)
    kept = Path(settings.PRIVATE_MEDIA_ROOT) / failed.errors_workbook.name
    assert kept.exists()
    r = client.post(f"/stats/import/{failed.pk}/errors.xlsx")
    assert r.status_code == 302
    failed.refresh_from_db()
    assert not failed.errors_workbook and client.get(f"/stats/import/{failed.pk}/errors.xlsx").status_code == 404
    assert not kept.exists()
    assert "第3行 身份证号码: 身份证号码校验位不正确" in failed.message
    assert "第4行 身份证号码: 身份证号码中的出生日期不是有效日期" in failed.message
