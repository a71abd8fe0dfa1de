"""文号: derived 代字, per-organisation formats, and a gap-free series under concurrent issue."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from jiuzhu.cases.models import AidCase
from jiuzhu.documents import actions, numbering
from jiuzhu.documents.models import IssuedDocument, IssuerCode, Kind, NumberPattern, NumberSequence
from jiuzhu.documents.tests.conftest import AMOUNT, handler
from jiuzhu.testing import race


def test_it_derives_the_issuer_code_from_the_name(world) -> None:
    codes = {code: numbering.derive_issuer_code(world.orgs[code]) for code in ("540000", "540500", "540502", "540528")}
    assert codes == {"540000": "藏", "540500": "山", "540502": "乃", "540528": "加"}


def test_it_numbers_each_kind_consecutively_and_never_numbers_records(world) -> None:
    h = handler(world)
    a, b = world.to("granted", amount=AMOUNT), world.to("granted", amount=AMOUNT)
    first = actions.issue_document(a, Kind.GRANT_DECISION, acting_user=h)
    second = actions.issue_document(b, Kind.GRANT_DECISION, acting_user=h)
    notice = actions.issue_document(a, Kind.ACCEPTANCE_NOTICE, acting_user=h)
    report = actions.issue_document(a, Kind.REVIEW_REPORT, acting_user=h)
    year = first.issued_at.year
    assert (first.number, second.number) == (f"加检控救决〔{year}〕1号", f"加检控救决〔{year}〕2号")
    assert notice.number == f"加检控救受〔{year}〕1号"
    assert report.number == "" and report.serial is None
    assert NumberSequence.objects.get(org=a.handling_org, year=year, kind=Kind.GRANT_DECISION).last == 2


def test_it_uses_an_upper_procuratorates_format_and_the_counties_own_code(world) -> None:
    NumberPattern.objects.create(org=world.orgs["540500"], kind=Kind.GRANT_DECISION,
                                 pattern="{short}检十救决〔{year}〕{n}号")
    IssuerCode.objects.create(org=world.orgs["540528"], code="加查")
    case = world.to("granted", amount=AMOUNT)
    doc = actions.issue_document(case, Kind.GRANT_DECISION, acting_user=handler(world))
    assert doc.number == f"加查检十救决〔{doc.issued_at.year}〕1号"
    other = world.to("granted", "540527", amount=AMOUNT)
    doc = actions.issue_document(other, Kind.GRANT_DECISION, acting_user=handler(world, "540527"))
    assert doc.number == f"洛检十救决〔{doc.issued_at.year}〕1号"


@pytest.mark.parametrize("pattern", ["{short}〔{year}〕号", "{short}{nn}号", "{short{n}"])
def test_it_rejects_a_format_without_a_serial_or_with_an_unknown_field(pattern) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        numbering.check_pattern(pattern)




@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_gives_20_concurrent_decisions_20_consecutive_numbers_without_a_gap(world) -> None:
    h = handler(world)
    cases = [world.to("granted", amount=AMOUNT) for _ in range(20)]
    actions.ensure_default_templates()

    def issue(pk: int) -> Callable[[], object]:
        return lambda: actions.issue_document(AidCase.objects.get(pk=pk), Kind.GRANT_DECISION, acting_user=h)

    results = race(*[issue(c.pk) for c in cases])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    serials = sorted(s or 0 for s in IssuedDocument.objects.filter(kind=Kind.GRANT_DECISION)
                     .values_list("serial", flat=True))
    assert serials == list(range(1, 21))
    numbers = set(IssuedDocument.objects.filter(kind=Kind.GRANT_DECISION).values_list("number", flat=True))
    assert len(numbers) == 20 and all(re.fullmatch(r"加检控救决〔\d{4}〕\d+号", n) for n in numbers)
    assert NumberSequence.objects.get(kind=Kind.GRANT_DECISION).last == 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_issues_one_decision_when_two_people_issue_it_at_once(world) -> None:
    case = world.to("granted", amount=AMOUNT)
    actions.ensure_default_templates()
    h, head = handler(world), world.user("540528", "dept_head")
    results = race(*[
        lambda: actions.issue_document(AidCase.objects.get(pk=case.pk), Kind.GRANT_DECISION, acting_user=h),
        lambda: actions.issue_document(AidCase.objects.get(pk=case.pk), Kind.GRANT_DECISION, acting_user=head),
    ])
    assert sum(isinstance(r, IssuedDocument) for r in results) == 1, results
    # (the 审批表 beside it was made when the route completed)
    assert IssuedDocument.objects.filter(case=case, kind=Kind.GRANT_DECISION).count() == 1
    # The loser's serial was rolled back with its transaction: the next decision gets number 2.
    assert NumberSequence.objects.get(kind=Kind.GRANT_DECISION).last == 1
