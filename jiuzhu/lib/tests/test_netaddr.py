"""client_ip: the address rate limits and audit rows use; never one a client can choose by a header."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.lib.netaddr import client_ip, parse_networks

rf = RequestFactory()


def _req(remote: str, xff: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip(_req("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_req("203.0.113.7", "10.0.0.1, 198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.5/32"]
    # The client wrote "1.1.1.1" itself; nginx (10.0.0.2) appended what it saw; the front proxy 192.0.2.5 too.
    assert client_ip(_req("10.0.0.2", "1.1.1.1, 198.51.100.9, 192.0.2.5")) == "198.51.100.9"
    assert client_ip(_req("10.0.0.2", "198.51.100.9")) == "198.51.100.9"
    # Two headers are joined by a comma; ports and brackets are dropped; IPv4-mapped IPv6 becomes IPv4.
    assert client_ip(_req("10.0.0.2", "198.51.100.9:5555")) == "198.51.100.9"
    assert client_ip(_req("10.0.0.2", "[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(_req("::ffff:10.0.0.2", "::ffff:198.51.100.9")) == "198.51.100.9"


def test_a_proxy_without_a_header_or_with_garbage_is_its_own_client(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_req("10.0.0.2")) == "10.0.0.2"
    assert client_ip(_req("10.0.0.2", "")) == "10.0.0.2"
    assert client_ip(_req("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert client_ip(_req("10.0.0.2", "198.51.100.9, not-an-ip, 10.0.0.3")) == "10.0.0.3"
    assert client_ip(_req("10.0.0.2", "10.0.0.4, 10.0.0.3")) == "10.0.0.4"  # only proxies: the furthest one


def test_a_strange_remote_addr_is_returned_as_is_and_short(settings) -> None:
    settings.TRUSTED_PROXIES = ["0.0.0.0/0"]
    assert client_ip(_req("unix-socket")) == "unix-socket"
    assert len(client_ip(_req("x" * 100))) == 45


ipv4 = st.integers(min_value=0, max_value=2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
untrusted = ipv4.filter(lambda a: not a.startswith("10."))
proxy = st.integers(min_value=0, max_value=2**24 - 1).map(lambda n: str(ipaddress.IPv4Address((10 << 24) + n)))


@given(forged=st.lists(st.one_of(ipv4, st.text(max_size=20).filter(lambda s: "," not in s)), max_size=5),
       real=untrusted, chain=st.lists(proxy, max_size=4), edge=proxy)
def test_whatever_the_client_writes_its_address_is_what_the_first_proxy_saw(forged, real, chain, edge) -> None:
    """Hops a client forges sit left of the address its first trusted proxy appended: they never count."""
    from django.test import override_settings

    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(_req(edge, ", ".join([*forged, real, *chain]))) == real


def test_bad_networks_are_refused_naming_the_value() -> None:
    assert [str(n) for n in parse_networks(["10.0.0.1/8", " 127.0.0.1 ", "", "::1"])] == \
        ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]
    with pytest.raises(ImproperlyConfigured, match="'10.0.0.0/33'"):
        parse_networks(["10.0.0.0/33"])


def test_settings_read_jiuzhu_trusted_proxies_and_refuse_a_bad_one() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings_test",
           "JIUZHU_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.5"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['10.0.0.0/8', '192.0.2.5/32']"
    env["JIUZHU_TRUSTED_PROXIES"] = "nginx"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "'nginx' is not an IP network" in bad.stderr
