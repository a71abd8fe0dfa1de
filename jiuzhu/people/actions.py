"""Writes to persons: create or find by ID number, update contact data, reveal a full value."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jiuzhu.lib import bulk, clock, crypto
from jiuzhu.people import idcard
from jiuzhu.people.models import Person
from jiuzhu.people.phones import clean_phone

ID_CONTEXT = "people.person.id_number"


def id_blind_index(id_number: str) -> str:
    """Return the blind index of a (normalised) ID number."""
    return crypto.blind_index(idcard.normalise(id_number), context=ID_CONTEXT)


def find_person_by_id_number(id_number: str) -> Person | None:
    """Return the person with this ID number, through the blind index."""
    return Person.objects.filter(id_number_bidx=id_blind_index(id_number)).first()


def apply_id_number(person: Person, id_number: str) -> None:
    parsed = idcard.parse_id_number(id_number, today=clock.today())
    person.id_number = parsed.value
    person.id_number_bidx = id_blind_index(parsed.value)
    person.id_number_masked = idcard.mask_id_number(parsed.value)
    person.birth_date = parsed.birth_date
    person.sex = parsed.sex


def get_or_create_people(entries: list[tuple[str, str | idcard.IdNumber]]) -> list[int]:
    """`get_or_create_person` for many (name, id_number) pairs at once: the ids, one lookup and one insert.

    The same identity rule: a stored person with the ID number is returned unchanged; the same ID
    number twice in ENTRIES is one person; an entry without an ID number is a new person. Used by the
    ledger import (a few queries per batch instead of four per row; rows go in through lib.bulk, the
    ID number encrypted by its field and indexed as by apply_id_number); a conflict with a concurrent
    writer falls back to the one-by-one path. An ID number may come already parsed (idcard.IdNumber).
    """
    for name, _ in entries:
        if not name.strip() or len(name.strip()) > 50:
            raise ValidationError("姓名应为1至50个字符。")
    numbers = [n.value if isinstance(n, idcard.IdNumber) else n for _, n in entries]
    keys = [id_blind_index(number) if number else "" for number in numbers]
    found = dict(Person.objects.filter(id_number_bidx__in={k for k in keys if k}).values_list("id_number_bidx", "pk"))
    today = clock.today()
    rows: list[tuple[Any, ...]] = []
    slot: dict[str, int] = {}  # blind index → its row in ROWS
    where: list[tuple[bool, int]] = []  # (stored, id) or (new, row)
    for (name, number), key in zip(entries, keys, strict=True):
        if key and key in found:
            where.append((True, found[key]))
            continue
        if key and key in slot:
            where.append((False, slot[key]))
            continue
        if number:
            parsed = number if isinstance(number, idcard.IdNumber) else idcard.parse_id_number(number, today=today)
            rows.append((name.strip(), parsed.value, key, idcard.mask_id_number(parsed.value), parsed.birth_date,
                         parsed.sex))
            slot[key] = len(rows) - 1
        else:
            rows.append((name.strip(), "", None, "", None, ""))
        where.append((False, len(rows) - 1))
    try:
        with transaction.atomic():
            ids = bulk.insert(Person, PERSON_FIELDS, rows, returning=True)
    except IntegrityError:
        return [get_or_create_person(name=name, id_number=number)[0].pk
                for (name, _), number in zip(entries, numbers, strict=True)]
    return [ref if stored else ids[ref] for stored, ref in where]


PERSON_FIELDS = ("name", "id_number", "id_number_bidx", "id_number_masked", "birth_date", "sex")


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
        apply_id_number(person, id_number)
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
