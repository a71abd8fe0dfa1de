"""The ledger import is set-based (lib.bulk): flat query count, chains and encryption kept, all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.cases.models import AidCase, CaseEvent, CaseGroup, CaseParty
from jiuzhu.funds.models import Contribution
from jiuzhu.people.actions import id_blind_index
from jiuzhu.people.models import Person
from jiuzhu.stats import ledger
from jiuzhu.stats.ledger_format import BATCH
from jiuzhu.stats.tests.helpers import id_number, workbook
from jiuzhu.support.models import Service

pytestmark = pytest.mark.django_db

CODES = ["540528", "540527", "540521"]


def _rows(n: int, prefix: str = "B") -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        grant = i % 4 != 0
        out.append({"案件编号": f"{prefix}-{i}", "承办院": CODES[i % 3], "申请人姓名": f"批量{i}",
                    "身份证号码": id_number(i, birth=f"19{60 + i // 1000:02d}0101"),
                    "人员类别": "妇女" if i % 3 == 0 else "", "救助情形": "E1", "受理日期": "2021-03-01",
                    "决定日期": "2021-03-10", "决定结果": "救助" if grant else "不予救助",
                    "救助金额(元)": "1000.50" if grant else None, "发放方式": "一次性" if grant else None,
                    "联合救助出资": "540500:500.25;540528:500.25" if grant and i % 7 == 1 else None,
                    "法律服务(人次)": 1 if i % 5 == 0 else None})
    return out


def _import_queries(n: int, prefix: str) -> int:
    checked = ledger.check(workbook(_rows(n, prefix)))
    assert checked.errors == [] and len(checked.new) == n
    with CaptureQueriesContext(connection) as q:
        assert ledger.import_rows(checked, acting_user=None) == n
    return len(q.captured_queries)


def test_the_import_runs_a_few_queries_per_batch_not_per_row(world) -> None:
    small = _import_queries(100, "S")  # one batch
    large = _import_queries(1000, "L")  # two batches of BATCH
    assert BATCH == 500
    # The second batch adds its own lookups and inserts (people, cases, parties, groups, lines,
    # services: about ten), nothing per row.
    assert large - small <= 12, (small, large)
    assert small <= 30, small


def test_the_imported_rows_are_encrypted_indexed_and_chained(world) -> None:
    rows = _rows(60)
    ledger.import_rows(ledger.check(workbook(rows)), acting_user=None)
    assert AidCase.objects.filter(number__startswith="B-").count() == 60
    assert CaseParty.objects.filter(case__number__startswith="B-").count() == 60
    assert CaseGroup.objects.filter(case__number__startswith="B-").count() == 20
    assert Service.objects.filter(case__number__startswith="B-").count() == 12
    grants = [i for i in range(60) if i % 4 != 0]
    joint = [i for i in grants if i % 7 == 1]
    assert Contribution.objects.filter(case__number__startswith="B-").count() == len(grants) + len(joint)
    case = AidCase.objects.select_related("applicant").get(number="B-7")
    assert case.applicant.id_number == rows[7]["身份证号码"]
    assert case.applicant.id_number_bidx == id_blind_index(rows[7]["身份证号码"])
    assert case.applicant.id_number_masked.startswith("540521") and "*" in case.applicant.id_number_masked
    assert str(case.decided_amount) == "1000.50" and case.paid_amount == 0
    with connection.cursor() as cur:  # at rest: ciphertext, not the number
        cur.execute("SELECT id_number FROM people_person WHERE id = %s", [case.applicant_id])
        stored = bytes(cur.fetchone()[0])
    assert rows[7]["身份证号码"].encode() not in stored
    events = CaseEvent.objects.filter(case__number__startswith="B-", action="import_ledger")
    assert events.count() == 60
    assert events.get(case=case).data == {"line": 9} and events.get(case=case).note == "历史台账导入（第9行）"
    out = io.StringIO()
    call_command("verify-audit", stdout=out, stderr=io.StringIO())  # raises CommandError on a broken chain
    assert "全部完好" in out.getvalue()
    seqs = sorted(events.filter(org_id=case.handling_org_id).values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


def test_a_case_written_meanwhile_makes_the_import_write_nothing(world) -> None:
    """A row checked as new whose case another writer stored before the import: the unique constraint
    refuses it, and the whole import (the batch before it included) is rolled back."""
    checked = ledger.check(workbook(_rows(BATCH + 20, "R")))
    assert len(checked.new) == BATCH + 20
    ledger.import_rows(ledger.check(workbook([_rows(BATCH + 20, "R")[BATCH + 5]])), acting_user=None)
    before = (AidCase.objects.count(), Person.objects.count(), CaseEvent.objects.count(),
              Contribution.objects.count())
    with pytest.raises(IntegrityError):
        ledger.import_rows(checked, acting_user=None)
    assert (AidCase.objects.count(), Person.objects.count(), CaseEvent.objects.count(),
            Contribution.objects.count()) == before


def test_people_are_found_by_id_number_across_and_within_ledgers(world) -> None:
    rows = _rows(5)
    rows[3]["身份证号码"] = rows[1]["身份证号码"]  # the same person twice in one ledger
    ledger.import_rows(ledger.check(workbook(rows)), acting_user=None)
    again = _rows(2, "C")
    again[0]["身份证号码"] = rows[0]["身份证号码"]  # a person already stored
    ledger.import_rows(ledger.check(workbook(again)), acting_user=None)
    applicant = {c.number: c.applicant_id for c in AidCase.objects.filter(number__in=["B-1", "B-3", "B-0", "C-0"])}
    assert applicant["B-1"] == applicant["B-3"] and applicant["B-0"] == applicant["C-0"]
    assert Person.objects.filter(id_number_bidx=id_blind_index(rows[1]["身份证号码"])).count() == 1
