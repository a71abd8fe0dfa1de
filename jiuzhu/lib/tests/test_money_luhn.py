"""The Luhn check of bank card numbers (lib/money.py) and its warning: properties, and the screens that warn."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.lib.money import account_warning, luhn_check_digit, luhn_valid

digits = st.text(alphabet="0123456789", min_size=1, max_size=29)


@given(digits)
def test_it_makes_every_body_valid_with_exactly_one_check_digit(body: str) -> None:
    check = luhn_check_digit(body)
    assert luhn_valid(body + check)
    assert [d for d in "0123456789" if luhn_valid(body + d)] == [check]


@given(digits, st.data())
def test_it_catches_every_single_digit_error(body: str, data: st.DataObject) -> None:
    number = body + luhn_check_digit(body)
    i = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[i]]))
    assert not luhn_valid(number[:i] + wrong + number[i + 1:])


@given(digits, st.data())
def test_it_catches_adjacent_swaps_except_09(body: str, data: st.DataObject) -> None:
    number = body + luhn_check_digit(body)
    if len(number) < 2:
        return
    i = data.draw(st.integers(0, len(number) - 2))
    a, b = number[i], number[i + 1]
    swapped = number[:i] + b + a + number[i + 2:]
    assert luhn_valid(swapped) == (a == b or {a, b} == {"0", "9"})


@given(st.text(max_size=25))
def test_it_answers_for_any_text_without_raising(text: str) -> None:
    assert luhn_valid(text) in (True, False)
    account_warning(text)


def test_it_knows_published_numbers() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert luhn_valid("4111111111111111")  # the well-known test card number
    assert not luhn_valid("") and not luhn_valid("0") and not luhn_valid("１２３４")  # full-width digits


@pytest.mark.parametrize(("account", "personal", "warns"), [
    ("6222020200112233445", True, True),    # 19 digits, fails
    ("6222 0202 0011 2233 44" + luhn_check_digit("622202020011223344"), True, False),  # passes, spaces ignored
    ("6222020200112233445", False, False),  # 对公 / custodian accounts carry no check digit
    ("622202020011223", True, False),       # 15 digits: not a card number (a passbook, an old account)
    ("62220202001122334455", True, False),  # 20 digits
    ("1234567890123456", True, True),       # 16 digits, fails
])
def test_it_warns_only_for_failing_personal_card_numbers(account: str, personal: bool, warns: bool) -> None:
    warning = account_warning(account, personal=personal)
    assert bool(warning) == warns
    if warning:
        assert "校验" in warning and account.replace(" ", "")[-4:] in warning


@pytest.mark.django_db
def test_a_failing_card_is_accepted_with_a_visible_warning(world, client) -> None:
    from jiuzhu.funds import actions
    from jiuzhu.funds.models import Payment
    from jiuzhu.funds.tests.helpers import fund

    fund(world)
    case = world.to("granted", amount="8000")
    actions.commit_for_decision(case, acting_user=world.user("540528", "kongshen"))
    client.force_login(world.user("540528", "kongshen"))
    data = {"plan": f"8000 {case.decided_on:%Y-%m-%d}", "payee_kind": "applicant", "payee_name": "甲",
            "bank_name": "农行", "account": "6222020200112233445"}
    html = client.post(f"/funds/cases/{case.pk}/schedule/", data, follow=True).content.decode()
    assert "已制定发放计划" in html
    assert Payment.objects.filter(case=case).count() == 1  # accepted, not refused
    assert html.count("未通过银行卡号校验位检查") == 2  # the message and the payment's row
    assert "尾号3445" in html and "6222020200112233445" not in html
    # A valid card number: no warning.
    Payment.objects.filter(case=case).delete()
    good = "622202020011223344" + luhn_check_digit("622202020011223344")
    html = client.post(f"/funds/cases/{case.pk}/schedule/", {**data, "account": good}, follow=True).content.decode()
    assert "已制定发放计划" in html and "校验位" not in html


@pytest.mark.django_db
def test_the_applicants_card_number_is_kept_with_a_warning(world, client) -> None:
    case = world.to("applied")
    client.force_login(world.user("540528", "kongshen"))
    html = client.post(f"/cases/{case.pk}/applicant/", {"bank_name": "农行", "bank_account": "6222020200112233445"},
                       follow=True).content.decode()
    assert "已更新申请人信息" in html and "未通过银行卡号校验位检查" in html
    case.applicant.refresh_from_db()
    assert case.applicant.bank_account == "6222020200112233445"
