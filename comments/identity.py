"""Who is acting in a request: a signed-in account, or a guest known by their browser.

A guest's browser keeps a signed cookie with a random key (it lets that browser edit and
delete its own comments, vote and report) and the name and email they last used.
"""

from __future__ import annotations

import ipaddress
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from comments.domain import Commenter, network_of, new_browser_key

COOKIE = "newsroom_guest"
SALT = "comments.guest"
MAX_AGE = 60 * 60 * 24 * 365


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


def client_network_address(request: HttpRequest) -> str | None:
    """``client_ip``, IPv6 reduced to its /64's first address: a home or a phone holds a
    whole /64, so sign-in lockouts (django-axes) count the network, not each of its 2**64
    addresses an attacker could rotate through."""
    ip = client_ip(request)
    network = network_of(ip)
    return network.split("/", 1)[0] if network else ip


def guest_state(request: HttpRequest) -> dict:
    if not hasattr(request, "_guest_state"):
        state = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
        try:
            request._guest_state = json.loads(state) if state else {}
        except ValueError:
            request._guest_state = {}
    return request._guest_state


def commenter(request: HttpRequest, *, name: str = "", email: str = "", create_key=False):
    """The Commenter for this request. ``create_key`` gives a new guest a browser key (the
    caller then stores it with ``remember``)."""
    ip = client_ip(request)
    if request.user.is_authenticated:
        return Commenter.from_user(request.user, ip=ip)
    state = guest_state(request)
    if create_key and not state.get("k"):
        state["k"] = new_browser_key()
        state["dirty"] = True
    return Commenter(name=name, email=email, browser_key=state.get("k", ""), ip=ip)


def remember(request: HttpRequest, response: HttpResponse, *, name="", email="") -> None:
    """Store the guest's key (and the name and email to fill in next time)."""
    if request.user.is_authenticated:
        return
    state = guest_state(request)
    changed = state.pop("dirty", False)
    if name and (state.get("n") != name or state.get("e") != email):
        state.update(n=name, e=email)
        changed = True
    if changed:
        response.set_signed_cookie(
            COOKIE,
            json.dumps(state),
            salt=SALT,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=not settings.DEBUG,
        )


def remembered_details(request: HttpRequest) -> dict:
    state = guest_state(request)
    return {"name": state.get("n", ""), "email": state.get("e", "")}
