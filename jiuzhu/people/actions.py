"""Writes to persons: create or find by ID number, update contact data, reveal a full value."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jiuzhu.accounts.models import Capability, User
from jiuzhu.lib import clock, crypto
from jiuzhu.people import idcard
from jiuzhu.people.models import Person
from jiuzhu.people.phones import clean_phone

ID_CONTEXT = "people.person.id_number"
REVEALABLE = {"id_number": "身份证号码", "phone": "联系电话", "address": "住址", "bank_account": "银行账号"}


def id_blind_index(id_number: str) -> str:
    """Return the blind index of a (normalised) ID number."""
    return crypto.blind_index(idcard.normalise(id_number), context=ID_CONTEXT)


def find_person_by_id_number(id_number: str) -> Person | None:
    """Return the person with this ID number, through the blind index."""
    return Person.objects.filter(id_number_bidx=id_blind_index(id_number)).first()


def _apply_id(person: Person, id_number: str) -> None:
    parsed = idcard.parse_id_number(id_number, today=clock.today())
    person.id_number = parsed.value
    person.id_number_bidx = id_blind_index(parsed.value)
    person.id_number_masked = idcard.mask_id_number(parsed.value)
    person.birth_date = parsed.birth_date
    person.sex = parsed.sex


@transaction.atomic(savepoint=False)
def get_or_create_person(*, name: str, id_number: str = "", **details: Any) -> tuple[Person, bool]:
    """Return the person with ID_NUMBER (creating them), else a new person without an ID number.

    An existing person is returned unchanged: their details may have been entered by another
    procuratorate, so nothing here writes to them (the ID number is the identity, nothing more).
    """
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationError("姓名应为1至50个字符。")
    if "phone" in details:  # the one phone validator (people/phones.py), on every write path
        details["phone"] = clean_phone(details["phone"])
    if id_number:
        existing = find_person_by_id_number(id_number)
        if existing is not None:
            return existing, False
    person = Person(name=name, **details)
    if id_number:
        _apply_id(person, id_number)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Someone else created the same person at the same moment: use theirs.
        found = find_person_by_id_number(id_number)
        if found is None:
            raise
        return found, False
    return person, True


def _has_cases_outside(person: Person, user: User) -> bool:
    from jiuzhu.cases.access import cases_visible_to
    from jiuzhu.cases.models import AidCase

    mine = cases_visible_to(user).filter(parties__person=person).values("pk")
    return AidCase.objects.filter(parties__person=person).exclude(pk__in=mine).exists()


def reveal(person: Person, field: str, *, acting_user: User, reason: str, case: Any = None) -> str:
    """Return the full value of a personal-data FIELD and record who saw it, when and why."""
    from jiuzhu.accounts.access import has_capability
    from jiuzhu.audit.actions import record_reveal

    if field not in REVEALABLE:
        raise ValidationError("该信息不能查看。")
    if not has_capability(acting_user, Capability.REVEAL_PII):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    # The person must be a party to a case this user may see (the reveal enforces its own scope).
    from jiuzhu.cases.access import cases_visible_to

    visible = cases_visible_to(acting_user).filter(parties__person=person)
    if case is not None:
        visible = visible.filter(pk=case.pk)
    if not visible.exists():
        raise PermissionDenied("该当事人不在您的办案范围内。")
    # Contact and bank details may have been entered by another procuratorate for another case: they
    # are shown only to a user who may see every case of this person. (The ID number is what the
    # user's own case was registered with.)
    if field != "id_number" and _has_cases_outside(person, acting_user):
        raise PermissionDenied("该当事人的联系方式由其他检察院登记，您无权查看。")
    if not reason.strip():
        raise ValidationError("请填写查看理由。")
    record_reveal(acting_user=acting_user, person=person, field=field, reason=reason.strip(), case=case)
    return str(getattr(person, field))
