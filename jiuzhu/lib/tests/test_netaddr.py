"""The client address: X-Forwarded-For only from a trusted proxy, the right-most untrusted hop."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.lib.netaddr import client_ip, parse_networks

rf = RequestFactory()


def _req(remote: str, xff: str | None = None):  # type: ignore[no-untyped-def]
    request = rf.get("/")
    request.META["REMOTE_ADDR"] = remote
    if xff is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = xff
    return request


def test_it_ignores_the_header_without_trusted_proxies(settings) -> None:
    settings.JIUZHU_TRUSTED_PROXIES = []
    assert client_ip(_req("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_it_ignores_the_header_from_an_untrusted_peer(settings) -> None:
    settings.JIUZHU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_req("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize(("xff", "expected"), [
    ("198.51.100.1", "198.51.100.1"),
    ("6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own forged hop is left of the real one
    ("6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),  # a second trusted proxy is skipped
    ("", "10.0.0.1"),
    ("not-an-address", "10.0.0.1"),
    ("6.6.6.6, garbage, 10.0.0.2", "10.0.0.2"),
    ("2001:db8::1", "2001:db8::1"),
])
def test_it_takes_the_rightmost_untrusted_hop_from_a_trusted_proxy(settings, xff, expected) -> None:
    settings.JIUZHU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_req("10.0.0.1", xff)) == expected


def test_it_refuses_a_bad_network() -> None:
    with pytest.raises(ValueError):
        parse_networks(["10.0.0.0/33"])


@given(st.lists(st.text(max_size=20), max_size=5))
def test_whatever_the_header_says_the_answer_is_an_address_the_header_cannot_invent_past_the_proxy(hops) -> None:
    from django.test import override_settings

    with override_settings(JIUZHU_TRUSTED_PROXIES=["10.0.0.0/8"]):
        got = client_ip(_req("10.0.0.1", ",".join(hops)))
    import ipaddress

    ipaddress.ip_address(got)  # always a real address (axes stores it in an address column)
    assert got == "10.0.0.1" or got in [h.strip() for h in hops] or got in {
        str(ipaddress.ip_address(h.strip())) for h in hops if _ok(h)}


def _ok(h: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(h.strip())
    except ValueError:
        return False
    return True
