"""Small facts about a request that every app asks: does the page's script want JSON, and
which address (and network) is the reader at. The base layer: it imports no app."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def wants_json(request: HttpRequest) -> bool:
    """True when the page's script asked for JSON (``Accept: application/json``)."""
    return "application/json" in request.headers.get("Accept", "")


def _valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The reader's address. Behind a proxy, set NEWSROOM_TRUSTED_PROXY_HOPS so the address
    is read from X-Forwarded-For (the proxies' own entries are skipped). An entry that is not
    an IP address is ignored and the socket's address used instead; so the app's port must be
    reachable only by the proxy (deploy/README.md)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            address = _valid_address(forwarded[-hops])
            if address:
                return address
    return _valid_address(request.META.get("REMOTE_ADDR") or "")


def network_of(ip: str | None) -> str:
    """``ip``'s network as one reader holds it: IPv4 as is, IPv6 as its /64 (a home or a
    phone gets a whole /64, so one reader can pick any address in it); "" when unknown."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_network_address(request: HttpRequest) -> str | None:
    """``client_ip``, IPv6 reduced to its /64's first address: a home or a phone holds a
    whole /64, so sign-in lockouts (django-axes) count the network, not each of its 2**64
    addresses an attacker could rotate through."""
    ip = client_ip(request)
    network = network_of(ip)
    return network.split("/", 1)[0] if network else ip
