"""The client's address, as the one place that decides which proxy headers to believe.

`X-Forwarded-For` is read only when the connection comes from a configured trusted proxy
(`settings.JIUZHU_TRUSTED_PROXIES`, a list of CIDRs, empty by default); then the right-most hop that
is not itself a trusted proxy is the client. Anything a client can set is never believed on its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Return the networks named by VALUES ("10.0.0.0/8", "127.0.0.1"); raise ValueError on a bad one."""
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: list[Network]) -> bool:
    return any(addr.version == n.version and addr in n for n in networks)


def client_ip(request: Any) -> str:
    """Return the address of the client that sent REQUEST (a string, "" when unknown)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = parse_networks(getattr(settings, "JIUZHU_TRUSTED_PROXIES", []) or [])
    remote_addr = _address(remote)
    if remote_addr is None:
        return ""
    if not networks or not _trusted(remote_addr, networks):
        return str(remote_addr)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    last_trusted = remote_addr
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:  # a hop we cannot read: believe no further than the proxy that passed it on
            return str(last_trusted)
        if not _trusted(addr, networks):
            return str(addr)
        last_trusted = addr
    return str(last_trusted)
