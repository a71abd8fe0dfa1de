"""The client's network address, as every rate limit and audit row records it.

`client_ip(request)` is the only place that reads it. REMOTE_ADDR is the address of whoever opened
the TCP connection; only when that is one of the configured reverse proxies (`TRUSTED_PROXIES`,
from `JIUZHU_TRUSTED_PROXIES`: CIDRs, comma-separated, default none) is `X-Forwarded-For` read, and
then from the right: each trusted proxy appends the address it saw, so the right-most hop that is
not itself a trusted proxy is the client. Everything left of it was written by the client and is
ignored. A client can therefore never choose its address by sending a header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # settings.py imports this module: keep its imports light
    from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_LENGTH = 45  # the longest textual IPv6 address (with an embedded IPv4 part)


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    """Parse CIDRs (or single addresses); raise ImproperlyConfigured naming the first bad one."""
    out: list[IPNetwork] = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        try:
            out.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"JIUZHU_TRUSTED_PROXIES: {value!r} is not an IP network (e.g. 10.0.0.0/8 or 127.0.0.1)") from None
    return out


def _address(value: str) -> IPAddress | None:
    """An address from a REMOTE_ADDR or X-Forwarded-For hop ("[v6]:port" and "v4:port" forms too)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _trusted(ip: IPAddress, networks: list[IPNetwork]) -> bool:
    return any(ip.version == n.version and ip in n for n in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the right-most untrusted X-Forwarded-For hop behind a trusted proxy."""
    remote_raw = request.META.get("REMOTE_ADDR", "") or ""
    remote = _address(remote_raw)
    if remote is None:
        return remote_raw.strip()[:MAX_LENGTH]
    networks = parse_networks(getattr(settings, "TRUSTED_PROXIES", []))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        if not hop.strip():
            continue
        ip = _address(hop)
        if ip is None:
            # A trusted proxy writes only addresses: garbage came from the client; the last good hop stands.
            break
        client = ip
        if not _trusted(ip, networks):
            break
    return str(client)
