"""Builders for the reader-facing comment tests: the comment form as a browser sends it,
guests and members, comments posted through ``comments.services.post_comment`` (every check
runs), and clients holding a guest's cookie.

The moderation suites build rows directly instead, with ``moderation_support``.
"""

from __future__ import annotations

import itertools
import json
import re
import time

from django.core import signing
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.html import escape

from comments import identity
from comments.domain import Commenter
from comments.forms import TIMESTAMP_SALT, form_timestamp
from comments.models import Comment
from comments.services import post_comment

_counter = itertools.count(1)

JSON = {"accept": "application/json"}


def change_article(article, **fields):
    """Save new settings on ``article`` without overwriting the comment count kept meanwhile."""
    article.refresh_from_db()
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    return article


# --- The comment form ------------------------------------------------------------------------


class _SignedInThePast(signing.TimestampSigner):
    def __init__(self, *, at: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self._at = at

    def timestamp(self) -> str:
        return signing.b62_encode(self._at)


def old_form_timestamp(seconds_ago: int) -> str:
    """A ``ts`` exactly as ``form_timestamp()`` would have signed it ``seconds_ago``."""
    at = int(time.time()) - seconds_ago
    return _SignedInThePast(at=at, salt=TIMESTAMP_SALT).sign_object(at)


def form_data(body: str = "A thoughtful comment.", **fields) -> dict:
    """Valid POST data for the comment form, as a guest's browser sends it (the form was shown
    ten seconds ago, the hidden spam trap is empty)."""
    data = {
        "body": body,
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "website": "",
        "ts": form_timestamp(time.time() - 10),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def post(client: Client, article, body: str = "A thoughtful comment.", *, as_json=False, **fields):
    """Send the comment form for ``article``; ``fields`` override the valid defaults (None
    leaves a field out)."""
    return client.post(
        reverse("comments:post", args=[article.pk]),
        form_data(body, **fields),
        headers=JSON if as_json else None,
    )


def posted_id(response) -> int:
    """The new comment's id, from the redirect to its permalink."""
    match = re.fullmatch(r"/comments/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


# --- Comments and the people who write them ----------------------------------------------------


def guest(name: str = "Grace Hopper", email: str | None = None, key: str | None = None):
    """A guest Commenter with a browser key of their own (``guest_client(key)`` is that
    browser)."""
    key = key or f"browser-key-{next(_counter)}"
    email = email or f"{name.split()[0].lower()}{next(_counter)}@example.org"
    return Commenter(name=name, email=email, browser_key=key, ip="192.0.2.10")


def member(user) -> Commenter:
    return Commenter.from_user(user, ip="192.0.2.20")


def make_posted_comment(article, body: str | None = None, *, parent=None, author=None, **fields):
    """A comment posted through ``comments.services.post_comment``; ``fields`` are then written
    straight to the row (``created_at``, ``edited_at``...)."""
    comment = post_comment(
        article=article,
        parent=parent,
        author=author or guest(),
        body=body or f"Comment number {next(_counter)}.",
    )
    if fields:
        Comment.objects.filter(pk=comment.pk).update(**fields)
    comment.refresh_from_db()
    return comment


def make_chain(article, depth: int, *, prefix: str = "Level") -> list[Comment]:
    """A thread of ``depth`` comments, each replying to the one before (levels 0..depth-1)."""
    chain: list[Comment] = []
    for level in range(depth):
        chain.append(
            make_posted_comment(
                article, f"{prefix} {level} says hello.", parent=chain[-1] if chain else None
            )
        )
    return chain


def guest_client(key: str, **details) -> Client:
    """A browser holding the signed guest cookie with browser key ``key``."""
    client = Client()
    client.cookies[identity.COOKIE] = signed_guest_cookie({"k": key, **details})
    return client


def signed_guest_cookie(state: dict) -> str:
    """The guest cookie's value for ``state``, signed the way the site signs it."""
    response = HttpResponse()
    response.set_signed_cookie(identity.COOKIE, json.dumps(state), salt=identity.SALT)
    return response.cookies[identity.COOKIE].value


def read_guest_cookie(value: str) -> dict:
    """The state in a guest cookie, read the way the site reads it (BadSignature if forged)."""
    request = RequestFactory().get("/")
    request.COOKIES[identity.COOKIE] = value
    return json.loads(request.get_signed_cookie(identity.COOKIE, salt=identity.SALT))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kept(body: str) -> str:
    """The comment textarea holding ``body``, as a re-rendered form shows the reader's text."""
    return f'id="id_body">\n{escape(body)}</textarea>'


def page(client: Client, article, **query) -> str:
    response = client.get(article.get_absolute_url(), query)
    assert response.status_code == 200
    return response.content.decode()
