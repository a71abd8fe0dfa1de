"""Persons: personal data encrypted at rest, found by blind index, minors' names masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.lib import clock
from jiuzhu.people.actions import find_person_by_id_number, get_or_create_person
from jiuzhu.people.models import Person
from jiuzhu.people.tests.idnumbers import build, build_with_x, valid_ids

pytestmark = pytest.mark.django_db

DB_SETTINGS = settings(deadline=None, max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
hanzi = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def raw_rows() -> list[dict[str, Any]]:
    """Every row of people_person as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def as_text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="ignore")
    return "" if value is None else str(value)


@DB_SETTINGS
@given(id_number=valid_ids(dt.date(2020, 1, 1)),
       # A mainland mobile (people/phones.py refuses anything else): 1, then 3–9, then nine digits.
       phone=st.tuples(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
       .map(lambda t: "1" + t[0] + t[1]),
       address=st.text(alphabet=hanzi, min_size=2, max_size=20).map(lambda s: f"西藏自治区{s}村12号"),
       bank_account=st.text(alphabet="0123456789", min_size=16, max_size=19))
def test_it_stores_no_personal_data_in_clear(db, id_number: str, phone: str, address: str,  # type: ignore[no-untyped-def]
                                             bank_account: str) -> None:
    Person.objects.all().delete()
    person, created = get_or_create_person(name="卓玛", id_number=id_number, phone=phone, address=address,
                                           bank_account=bank_account)
    assert created
    rows = raw_rows()
    assert len(rows) == 1
    row = rows[0]
    # The values are there, encrypted (otherwise "not in clear" would hold trivially).
    for column, clear in [("id_number", id_number), ("phone", phone), ("address", address),
                          ("bank_account", bank_account)]:
        assert len(bytes(row[column])) == 1 + 4 + 1 + 12 + len(clear.encode()) + 16, column  # +1: cipher id
    secrets = [id_number, phone, address, bank_account, id_number[6:14], id_number.lower()]
    for column, value in row.items():
        text = as_text(value)
        for secret in secrets:
            assert secret not in text, f"{secret!r} in clear in column {column}"
    assert row["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone, fresh.address, fresh.bank_account) == (
        id_number, phone, address, bank_account)


def test_it_stores_the_masked_id_number_for_lists() -> None:
    number = build("540528", dt.date(1990, 1, 1), "123")
    person, _ = get_or_create_person(name="次仁", id_number=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_masked FROM people_person WHERE id = %s", [person.pk])
        (masked,) = cursor.fetchone()
    assert masked == f"540528********{number[-4:]}"
    assert len(masked) == 18


def test_it_leaves_empty_values_null() -> None:
    person, _ = get_or_create_person(name="央金")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address, bank_account, id_number_bidx FROM people_person "
                       "WHERE id = %s", [person.pk])
        assert cursor.fetchone() == (None, None, None, None, None)
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone, fresh.address, fresh.bank_account) == ("", "", "", "")


def test_it_never_serialises_personal_data() -> None:
    number = build("540528", dt.date(1990, 1, 1), "123")
    get_or_create_person(name="卓玛", id_number=number, phone="13812345678", address="西藏自治区某村",
                         bank_account="6222021234567890123")
    dumped = serializers.serialize("json", Person.objects.all())
    for secret in [number, "13812345678", "西藏自治区某村", "6222021234567890123", "19900101"]:
        assert secret not in dumped


def test_it_finds_a_person_by_an_id_number_typed_with_a_lower_case_x() -> None:
    number = build_with_x("540528", dt.date(1985, 7, 1))
    person, _ = get_or_create_person(name="拉姆", id_number=number)
    assert find_person_by_id_number(number[:17] + "x") == person
    assert find_person_by_id_number(f" {number[:6]} {number[6:14]} {number[14:17]}x ") == person
    assert find_person_by_id_number(number) == person
    assert find_person_by_id_number(build("540528", dt.date(1985, 7, 2), "001")) is None


def test_it_stores_a_lower_case_x_as_upper_case_and_finds_it() -> None:
    number = build_with_x("540527", dt.date(1972, 12, 31))
    person, _ = get_or_create_person(name="拉姆", id_number=number[:17] + "x")
    assert Person.objects.get(pk=person.pk).id_number == number
    assert find_person_by_id_number(number) == person


def test_it_returns_the_same_person_for_the_same_id_number_without_overwriting() -> None:
    number = build_with_x("540528", dt.date(1980, 5, 20))
    first, created = get_or_create_person(name="卓玛", id_number=number, phone="13800000001")
    assert created
    again, created_again = get_or_create_person(name="次仁卓玛", id_number=number[:17] + "x",
                                                phone="13900000002", address="西藏自治区某村3号")
    assert not created_again
    assert again.pk == first.pk
    assert Person.objects.count() == 1
    fresh = Person.objects.get(pk=first.pk)
    assert fresh.name == "卓玛"
    assert fresh.phone == "13800000001"  # kept
    # Not even a blank is filled in: the second entry may come from another procuratorate.
    assert fresh.address == ""


def test_it_refuses_an_invalid_id_number_and_creates_nobody() -> None:
    number = build("540528", dt.date(1990, 1, 1), "123")
    wrong = number[:17] + ("1" if number[17] == "0" else "0")
    # A savepoint of our own: the action's atomic(savepoint=False) marks the enclosing (test) transaction.
    with pytest.raises(ValidationError) as info, transaction.atomic():
        get_or_create_person(name="卓玛", id_number=wrong)
    assert info.value.code == "check_digit"
    assert not Person.objects.exists()


def test_it_derives_birth_date_and_sex_from_the_id_number() -> None:
    person, _ = get_or_create_person(name="扎西", id_number=build("540528", dt.date(1990, 2, 3), "011"))
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.birth_date == dt.date(1990, 2, 3)
    assert fresh.sex == Person.Sex.MALE


def test_it_masks_a_minors_name_until_their_eighteenth_birthday() -> None:
    with clock.travel(dt.date(2025, 6, 1)):
        child, _ = get_or_create_person(name="扎西顿珠", id_number=build("540528", dt.date(2015, 3, 10), "021"))
        child = Person.objects.get(pk=child.pk)
        assert child.is_minor
        assert child.display_name == "扎***"
        assert str(child) == "扎***"
    with clock.travel(dt.date(2033, 3, 9)):
        assert child.display_name == "扎***"
    with clock.travel(dt.date(2033, 3, 10)):
        assert not child.is_minor
        assert child.display_name == "扎西顿珠"


def test_it_shows_an_adults_name_in_full() -> None:
    with clock.travel(dt.date(2025, 6, 1)):
        adult, _ = get_or_create_person(name="次仁卓玛", id_number=build("540528", dt.date(1990, 1, 1), "022"))
        adult = Person.objects.get(pk=adult.pk)
        assert not adult.is_minor
        assert adult.display_name == "次仁卓玛"
        assert str(adult) == "次仁卓玛"
