"""The Shannan demo: loaded through the real actions, reproducing the seed's figures."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from jiuzhu.accounts.models import Role
from jiuzhu.cases.models import AidCase, CaseEvent, Deadline, Status
from jiuzhu.demo import data
from jiuzhu.lib import clock
from jiuzhu.orgs.models import Organisation
from jiuzhu.testing import password_login


@pytest.fixture(scope="module")
def loaded(demo_loaded):  # type: ignore[no-untyped-def]
    yield


pytestmark = pytest.mark.django_db


def _granted(start: str, end: str):  # type: ignore[no-untyped-def]
    city = Organisation.objects.get(code="540500")
    return AidCase.objects.filter(decision="grant", decided_on__range=(start, end),
                                  handling_org__path__startswith=city.path)


@pytest.mark.parametrize(("period", "expected"), list(data.EXPECTED.items()))
def test_it_reproduces_the_press_release_figures(loaded, period, expected) -> None:
    qs = _granted(*period)
    cases, persons, amount = expected
    assert qs.count() == cases
    assert qs.values("applicant").distinct().count() == persons
    assert qs.aggregate(s=Sum("decided_amount"))["s"] == amount


def test_it_holds_the_joint_cases_of_2022_and_the_suo_case(loaded) -> None:
    joint = _granted("2022-01-01", "2022-12-31").filter(source_detail__startswith="联合救助")
    assert joint.count() == 14
    assert joint.aggregate(s=Sum("decided_amount"))["s"] == Decimal("350000.00")
    assert set(joint.values_list("handling_org__code", flat=True)) == {"540528", "540531", "540527", "540524"}
    suo = AidCase.objects.get(applicant__name__startswith="索", handling_org__code="540527",
                              decided_on__year=2022)
    assert suo.decision == "grant"


def test_it_has_current_cases_in_every_state(loaded) -> None:
    present = set(AidCase.objects.values_list("status", flat=True))
    assert present == set(Status.values)


def test_it_has_deadlines_due_soon_and_overdue(loaded) -> None:
    today = clock.today()
    running = Deadline.objects.filter(completed_on__isnull=True, paused_on__isnull=True)
    assert running.filter(due_on__lt=today).exists()
    assert running.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7)).exists()


def test_it_was_built_through_the_actions(loaded) -> None:
    for case in AidCase.objects.filter(status=Status.ARCHIVED)[:5]:
        actions = list(case.events.values_list("action", flat=True))
        assert actions[0] == "raise_clue" and actions[-1] == "archive"
    assert not AidCase.objects.exclude(pk__in=CaseEvent.objects.values("case")).exists()


def test_it_refuses_to_load_twice(loaded) -> None:
    with pytest.raises(CommandError, match="已有救助案件"):
        call_command("load-demo", verbosity=0)


def test_it_lists_the_demo_accounts_of_every_role(loaded, capsys) -> None:
    call_command("demo-accounts", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) == {"username", "password", "role", "org_code", "org_name"}
    assert {r["role"] for r in rows} == {Role(r).label for r in Role.values}
    assert {r["org_code"] for r in rows} == {code for code, *_ in data.ORGS}
    assert all(r["password"] == data.DEMO_PASSWORD for r in rows)


def test_the_demo_users_can_log_in(loaded, client) -> None:
    assert password_login(client, "jiacha_kongshen", data.DEMO_PASSWORD)
    assert "加查县" in client.get("/").content.decode()


def test_the_audit_chains_of_the_loaded_demo_are_intact(loaded) -> None:
    """Issue 11, finding 9: every event and audit row the demo wrote is chained, and verify-audit agrees."""
    import io

    from jiuzhu.audit.models import AuditEntry

    out = io.StringIO()
    call_command("verify-audit", stdout=out)
    total = CaseEvent.objects.count() + AuditEntry.objects.count()
    assert total > 500
    assert f"全部完好：共核对 {total} 条记录。" in out.getvalue()
    assert not CaseEvent.objects.filter(hash="").exists()


def test_after_the_demo_no_stored_file_holds_an_id_number_or_phone_in_clear(loaded, settings) -> None:
    """Issue 11, finding 4: the red team found 10 of 24 stored files with full ID numbers and phones."""
    import io
    import zipfile
    from pathlib import Path

    from jiuzhu.documents.models import IssuedDocument
    from jiuzhu.people.models import Person

    secrets = {v.encode() for p in Person.objects.all() for v in (p.id_number, p.phone) if len(v) >= 11}
    assert secrets and IssuedDocument.objects.exists()
    leaks = []
    files = [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        texts = [data]
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                texts += [z.read(n) for n in z.namelist()]
        leaks += [path.name for t in texts if any(s in t for s in secrets)]
    assert len(files) >= IssuedDocument.objects.count() and leaks == []
