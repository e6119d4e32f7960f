"""Who is acting in a request: a signed-in account, or a guest known by their browser.

A guest's browser keeps a signed cookie with a random key (it lets that browser edit and
delete its own comments, vote and report) and the name and email they last used.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from comments.domain import Commenter, new_browser_key

# The reader's address is the base layer's to tell (newsroom/http.py); named here too, as
# ``identity.client_ip``, for the comment views.
from newsroom.http import client_ip, client_network_address  # noqa: F401

COOKIE = "newsroom_guest"
SALT = "comments.guest"
MAX_AGE = 60 * 60 * 24 * 365


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
    return _commenter(request, client_ip(request), name, email, create_key)


def reader(request: HttpRequest) -> Commenter:
    """``commenter`` without the reader's address, for reads that only ask what is theirs
    (the reader's layer): only what they do (post, vote, report) is limited by address, and
    reading it parses it."""
    return _commenter(request, None, "", "", False)


def _commenter(request: HttpRequest, ip, name: str, email: str, create_key) -> Commenter:
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
