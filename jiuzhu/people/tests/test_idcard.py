"""Resident ID numbers: parsing, error messages, masking (GB 11643-1999)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.lib import clock
from jiuzhu.people import idcard
from jiuzhu.people.tests import idnumbers
from jiuzhu.people.tests.idnumbers import PROVINCES, areas, build, build_with_x, gb_check, seqs

TODAY = dt.date(2026, 3, 15)
births = st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY)
valid_ids = idnumbers.valid_ids(TODAY)


def error_of(raw: str, today: dt.date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        idcard.parse_id_number(raw, today=today)
    return info.value


# --- parsing -------------------------------------------------------------------------------------


def test_it_agrees_with_the_standards_worked_examples() -> None:
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("44052418800101001") == "4"
    parsed = idcard.parse_id_number("440524188001010014", today=TODAY)
    assert parsed.birth_date == dt.date(1880, 1, 1) and parsed.sex == "M"
    assert idcard.parse_id_number("11010519491231002X", today=TODAY).sex == "F"


@given(area=areas, birth=births, seq=seqs)
def test_it_parses_any_well_formed_number_and_round_trips_birth_date_and_sex(
        area: str, birth: dt.date, seq: str) -> None:
    number = build(area, birth, seq)
    parsed = idcard.parse_id_number(number, today=TODAY)
    assert parsed.value == number
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if int(seq[2]) % 2 == 1 else "F")
    assert parsed.area_code == area
    assert idcard.check_digit(number[:17]) == number[17]


def _expected_code_after_change(number: str) -> str:
    if number[:2] not in PROVINCES:
        return "area"
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if birth > TODAY or birth.year < 1880:
        return "birth_date"
    return "check_digit"


@given(number=valid_ids, position=st.integers(0, 17), data=st.data())
def test_it_refuses_a_number_with_any_single_character_changed(number: str, position: int, data) -> None:  # type: ignore[no-untyped-def]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    new = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + new + number[position + 1:]
    error = error_of(changed)
    assert error.code == _expected_code_after_change(changed)
    assert error.code in {"area", "birth_date", "check_digit"}


@given(area=areas, birth=births, seq_from=st.integers(0, 999))
def test_it_accepts_a_lower_case_final_x_and_normalises_it(area: str, birth: dt.date, seq_from: int) -> None:
    number = build_with_x(area, birth, seq_from)
    parsed = idcard.parse_id_number(number[:17] + "x", today=TODAY)
    assert parsed.value == number
    assert parsed.value.endswith("X")
    assert idcard.normalise(number[:17] + "x") == number


@given(number=valid_ids, cuts=st.lists(st.integers(0, 18), max_size=5),
       spaces=st.lists(st.sampled_from([" ", "  ", "\t", "\u3000", "\n"]), min_size=5, max_size=5))
def test_it_strips_spaces_anywhere_in_the_number(number: str, cuts: list[int], spaces: list[str]) -> None:
    spaced = number
    for i, cut in enumerate(sorted(cuts, reverse=True)):
        spaced = spaced[:cut] + spaces[i] + spaced[cut:]
    spaced = " " + spaced + " "
    assert idcard.parse_id_number(spaced, today=TODAY).value == number


def test_it_strips_the_spaces_of_a_grouped_number() -> None:
    assert idcard.parse_id_number("440524 18800101 0014", today=TODAY).value == "440524188001010014"


# --- one concrete test per error code ------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_it_asks_for_a_missing_number(raw: str) -> None:
    error = error_of(raw)
    assert error.code == "required"
    assert "请填写身份证号码" in error.messages[0]


@pytest.mark.parametrize(("raw", "count"), [("44052418800101001", 17), ("4405241880010100144", 19), ("1", 1)])
def test_it_says_the_number_needs_18_characters_and_how_many_were_given(raw: str, count: int) -> None:
    error = error_of(raw)
    assert error.code == "length"
    assert "18位" in error.messages[0]
    assert f"您填写了{count}位" in error.messages[0]


@pytest.mark.parametrize("raw", ["44052418800101001A", "4405241880010X0014", "４４0524188001010014"])
def test_it_refuses_letters_other_than_a_final_x(raw: str) -> None:
    error = error_of(raw)
    assert error.code == "characters"
    assert "前17位只能是数字" in error.messages[0]


@pytest.mark.parametrize("prefix", ["00", "10", "16", "55", "99"])
def test_it_refuses_an_unknown_province_code(prefix: str) -> None:
    number = build(prefix + "0524", dt.date(1990, 1, 1), "001")
    error = error_of(number)
    assert error.code == "area"
    assert f"前两位“{prefix}”不是有效的省级行政区划代码" in error.messages[0]


@pytest.mark.parametrize("date8", ["19900230", "19901301", "19900001", "19900100", "19010229"])
def test_it_refuses_an_impossible_birth_date(date8: str) -> None:
    first17 = f"540528{date8}001"
    error = error_of(first17 + gb_check(first17))
    assert error.code == "birth_date"
    assert f"出生日期“{date8}”不是有效日期" in error.messages[0]


def test_it_refuses_a_birth_date_after_today() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    error = error_of(build("540528", tomorrow, "001"))
    assert error.code == "birth_date"
    assert f"出生日期“{tomorrow:%Y%m%d}”不合理" in error.messages[0]
    assert idcard.parse_id_number(build("540528", TODAY, "001"), today=TODAY).birth_date == TODAY


def test_it_refuses_a_future_birth_date_by_the_projects_clock() -> None:
    with clock.travel(dt.date(2030, 6, 1)):
        assert idcard.parse_id_number(build("540528", dt.date(2030, 6, 1), "001")).birth_date.year == 2030
        with pytest.raises(ValidationError) as info:
            idcard.parse_id_number(build("540528", dt.date(2030, 6, 2), "001"))
    assert info.value.code == "birth_date"


def test_it_refuses_a_birth_year_before_1880() -> None:
    error = error_of(build("540528", dt.date(1879, 12, 31), "001"))
    assert error.code == "birth_date"
    assert "不合理" in error.messages[0]


def test_it_says_the_check_digit_is_wrong() -> None:
    error = error_of("440524188001010015")
    assert error.code == "check_digit"
    assert "校验位不正确" in error.messages[0]


# --- masking -------------------------------------------------------------------------------------


@given(number=valid_ids)
def test_it_masks_an_id_number_to_area_code_and_last_four(number: str) -> None:
    masked = idcard.mask_id_number(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6]
    assert masked[-4:] == number[-4:]
    assert masked[6:14] == "********"
    assert masked.count("*") == 8
    assert number[6:14] not in masked
    assert idcard.parse_id_number(number, today=TODAY).birth_date.strftime("%Y%m%d") not in masked


@given(value=st.text(alphabet="0123456789X", max_size=10))
def test_it_masks_a_short_id_number_entirely(value: str) -> None:
    assert idcard.mask_id_number(value) == "*" * len(value)


@given(value=st.text(alphabet="0123456789", min_size=11, max_size=20))
def test_it_masks_a_phone_to_first_three_and_last_four(value: str) -> None:
    masked = idcard.mask_phone(value)
    assert len(masked) == len(value)
    assert masked[:3] == value[:3]
    assert masked[-4:] == value[-4:]
    assert set(masked[3:-4]) <= {"*"}
    assert masked.count("*") == len(value) - 7


def test_it_masks_a_mobile_number_like_138_stars_5678() -> None:
    assert idcard.mask_phone("13812345678") == "138****5678"


@given(value=st.text(alphabet="0123456789", max_size=6))
def test_it_masks_a_very_short_phone_entirely(value: str) -> None:
    assert idcard.mask_phone(value) == "*" * len(value)


@given(value=st.text(alphabet="0123456789", min_size=7, max_size=10))
def test_it_masks_a_landline_to_its_last_four(value: str) -> None:
    masked = idcard.mask_phone(value)
    assert masked == "*" * (len(value) - 4) + value[-4:]


@pytest.mark.parametrize("value", ["6321234", "0891632"])
def test_it_never_returns_a_phone_number_unmasked(value: str) -> None:
    assert idcard.mask_phone(value) != value


@given(name=st.text(alphabet=st.characters(exclude_characters="*", exclude_categories=["Cs"]), min_size=1,
                    max_size=20))
def test_it_masks_a_name_to_its_first_character(name: str) -> None:
    masked = idcard.mask_name(name)
    assert masked[0] == name[0]
    assert set(masked[1:]) == {"*"}
    assert len(masked) == max(2, len(name))


def test_it_masks_a_tibetan_name_and_leaves_an_empty_one_empty() -> None:
    assert idcard.mask_name("卓玛") == "卓*"
    assert idcard.mask_name("扎西顿珠") == "扎***"
    assert idcard.mask_name("") == ""


@given(value=st.text(alphabet=st.characters(exclude_characters="*", exclude_categories=["Cs"]), max_size=30),
       keep=st.integers(1, 8))
def test_it_masks_all_but_the_tail(value: str, keep: int) -> None:
    masked = idcard.mask_tail(value, keep)
    assert len(masked) == len(value)
    if len(value) <= keep:
        assert masked == "*" * len(value)
    else:
        assert masked[-keep:] == value[-keep:]
        assert masked[:-keep] == "*" * (len(value) - keep)


def test_it_masks_a_bank_account_to_its_last_four_digits() -> None:
    assert idcard.mask_tail("6222021234567890123") == "*" * 15 + "0123"


@given(value=st.text(alphabet=st.characters(exclude_characters="*", exclude_categories=["Cs"]), max_size=40))
def test_it_masks_an_address_to_its_first_six_characters(value: str) -> None:
    masked = idcard.mask_address(value)
    assert masked.replace("*", "") == (value[:6] if len(value) > 6 else "")
    assert masked.endswith("****")


@given(birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)).filter(
    lambda d: (d.month, d.day) != (2, 29)), years=st.integers(1, 100))
def test_it_counts_age_in_whole_years_turning_on_the_birthday(birth: dt.date, years: int) -> None:
    birthday = birth.replace(year=birth.year + years)
    assert idcard.age_on(birth, birthday) == years
    assert idcard.age_on(birth, birthday - dt.timedelta(days=1)) == years - 1
    assert idcard.age_on(birth, birth) == 0
