"""One-time codes: single use, expiry, brute force, bound to one number; one applicant never sees another's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.lib import clock
from jiuzhu.portal import otp
from jiuzhu.portal.models import OneTimeCode
from jiuzhu.portal.tests.helpers import fill_application, last_code, login

pytestmark = pytest.mark.django_db
A, B = "13900000001", "13900000002"


def test_it_accepts_a_code_once_only(db) -> None:
    code = otp.issue(A)
    assert otp.verify(A, code) == otp.phone_index(A)
    with pytest.raises(ValidationError, match="失效|已使用"):
        otp.verify(A, code)


def test_it_refuses_a_code_for_another_number(db) -> None:
    code = otp.issue(A)
    with pytest.raises(ValidationError):
        otp.verify(B, code)
    assert otp.verify(A, code)  # still good for its own number


def test_it_refuses_an_expired_code(db) -> None:
    code = otp.issue(A)
    with clock.travel(clock.now() + dt.timedelta(minutes=otp.OTP_MINUTES, seconds=1)):
        with pytest.raises(ValidationError, match="失效"):
            otp.verify(A, code)


def test_it_kills_a_code_after_five_wrong_tries_even_if_the_sixth_is_right(db) -> None:
    code = otp.issue(A)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(otp.OTP_MAX_ATTEMPTS):
        with pytest.raises(ValidationError, match="不正确"):
            otp.verify(A, wrong)
    with pytest.raises(ValidationError, match="过多|失效"):
        otp.verify(A, code)


def test_it_locks_a_number_after_ten_failures_in_an_hour(db) -> None:
    for i in range(2):
        with clock.travel(clock.now() + dt.timedelta(minutes=2 * i)):
            otp.issue(A)
            for _ in range(otp.OTP_MAX_ATTEMPTS):
                with pytest.raises(ValidationError):
                    otp.verify(A, "000000" if i else "999999")
    with clock.travel(clock.now() + dt.timedelta(minutes=5)):
        code = otp.issue(A)
        with pytest.raises(ValidationError, match="暂停"):
            otp.verify(A, code)


def test_it_limits_how_often_codes_are_sent(db) -> None:
    otp.issue(A)
    with pytest.raises(ValidationError, match="一分钟"):
        otp.issue(A)
    for i in range(1, otp.OTP_MAX_SENDS_PER_HOUR):
        with clock.travel(clock.now() + dt.timedelta(minutes=2 * i)):
            otp.issue(A)
    with clock.travel(clock.now() + dt.timedelta(minutes=30)):
        with pytest.raises(ValidationError, match="一小时"):
            otp.issue(A)
    with clock.travel(clock.now() + dt.timedelta(minutes=61)):
        otp.issue(A)


def _number(i: int) -> str:
    return f"139{i:08d}"


def test_applicants_behind_one_address_who_log_in_never_block_the_next(db) -> None:
    """Red team: 30 sends from one address blocked every applicant behind it."""
    for i in range(otp.OTP_MAX_SENDS_PER_IP_HOUR + 5):
        otp.verify(_number(i), otp.issue(_number(i), ip="100.64.0.1"))
    assert otp.issue(_number(99), ip="100.64.0.1")


def test_an_address_sending_codes_nobody_enters_is_stopped(db) -> None:
    for i in range(otp.OTP_MAX_SENDS_PER_IP_HOUR):
        otp.issue(_number(i), ip="100.64.0.1")
    with pytest.raises(ValidationError, match="过于频繁"):
        otp.issue(_number(99), ip="100.64.0.1")
    assert otp.issue(_number(99), ip="100.64.0.2")  # another address is not affected
    with clock.travel(clock.now() + dt.timedelta(minutes=61)):
        assert otp.issue(_number(98), ip="100.64.0.1")


def test_the_login_page_limits_the_real_client_behind_a_trusted_proxy(client, db, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for i in range(otp.OTP_MAX_SENDS_PER_IP_HOUR):
        client.post("/apply/login/", {"phone": _number(i), "send": "1"}, REMOTE_ADDR="10.0.0.2",
                    headers={"X-Forwarded-For": "203.0.113.1"})
    assert set(OneTimeCode.objects.values_list("ip", flat=True)) == {"203.0.113.1"}
    r = client.post("/apply/login/", {"phone": _number(98), "send": "1"}, REMOTE_ADDR="10.0.0.2",
                    headers={"X-Forwarded-For": "203.0.113.1"})
    assert r.status_code == 400 and "过于频繁" in r.content.decode()
    # The proxy's other client, and a client forging the header without the proxy, are on their own.
    r = client.post("/apply/login/", {"phone": _number(98), "send": "1"}, REMOTE_ADDR="10.0.0.2",
                    headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.2"})
    assert r.status_code == 200
    r = client.post("/apply/login/", {"phone": _number(97), "send": "1"}, REMOTE_ADDR="198.51.100.3",
                    headers={"X-Forwarded-For": "203.0.113.1"})
    assert r.status_code == 200 and OneTimeCode.objects.order_by("-pk").first().ip == "198.51.100.3"


def test_it_never_stores_the_code(db) -> None:
    code = otp.issue(A)
    row = OneTimeCode.objects.get()
    assert code not in row.code_hash and A not in row.phone_bidx


@settings(max_examples=30, deadline=None)
@given(raw=st.text(max_size=20))
def test_it_refuses_anything_but_a_mobile_number_with_a_chinese_message(raw: str) -> None:
    try:
        phone = otp.normalise_phone(raw)
    except ValidationError as e:
        assert e.messages == ["请输入11位手机号码。"]
    else:
        assert otp.MOBILE.match(phone)


def test_it_shows_one_applicant_nothing_of_another(client, world) -> None:
    from django.test import Client

    login(client, A)
    pk = fill_application(client)
    client.post(f"/apply/a/{pk}/submit/", {"declaration": "on"})
    other = Client()
    login(other, B)
    for url in (f"/apply/a/{pk}/", f"/apply/a/{pk}/receipt.pdf", f"/apply/a/{pk}/applicant/",
                f"/apply/a/{pk}/materials/", f"/apply/a/{pk}/submit/"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/apply/a/{pk}/", {"kind": "other"}).status_code == 404
    assert "次仁卓玛" not in other.get("/apply/mine/").content.decode()
    # Without a login: to the login page, never the application.
    anonymous = Client()
    r = anonymous.get(f"/apply/a/{pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/apply/login/")


def test_it_refuses_a_wrong_code_on_the_login_page_in_chinese(client, db) -> None:
    client.post("/apply/login/", {"phone": A, "send": "1"})
    code = last_code(A)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r = client.post("/apply/login/", {"phone": A, "code": wrong, "verify": "1"})
    assert r.status_code == 400 and "验证码不正确，还可尝试4次。" in r.content.decode()
    assert client.get("/apply/mine/").status_code == 302
    r = client.post("/apply/login/", {"phone": B, "code": code, "verify": "1"})
    assert r.status_code == 400
    r = client.post("/apply/login/", {"phone": A, "code": code, "verify": "1"})
    assert r.status_code == 302
    # An outside address after login is ignored.
    client.post("/apply/logout/")
    with clock.travel(clock.now() + dt.timedelta(minutes=2)):
        client.post("/apply/login/", {"phone": A, "send": "1"})
        r = client.post("/apply/login/", {"phone": A, "code": last_code(A), "verify": "1",
                                          "next": "https://evil.example/"})
    assert r["Location"] == "/apply/mine/"
