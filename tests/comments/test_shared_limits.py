"""Rate limits hold across gunicorn workers: the counts live in PostgreSQL, which every
worker (and every app host) shares, never in a worker's own memory.

The test starts a real gunicorn with three workers on the test database and sends one
address's comments at once, as a script would, with and without JavaScript.
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from comments.models import Comment
from newsroom.models import Counter
from tests.helpers import make_article
from tests.processes import running_gunicorn

ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS = 8
LIMIT = 5

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gunicorn():
    with running_gunicorn(
        workers=3,
        DATABASE_CONN_MAX_AGE="0",
        # A day-long window: a burst of a second or two never straddles its edge, so the
        # test needs no waiting for the clock.
        COMMENTS_RATE_LIMITS=f"{LIMIT}/day",
        COMMENTS_FORM_MIN_SECONDS="0",
        COMMENTS_PREMODERATE="0",
        COMMENTS_PREMODERATE_FIRST_TIMERS="0",
        COMMENTS_SPAM_CHECKER="",
        # One proxy hop, so each scenario can speak from an address of its own.
        NEWSROOM_TRUSTED_PROXY_HOPS="1",
    ) as port:
        yield f"http://127.0.0.1:{port}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser(address: str):
    """A urllib opener with a cookie jar, speaking from ``address`` (via X-Forwarded-For)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    opener.addheaders = [("X-Forwarded-For", address)]
    return opener


def _send(opener, request) -> tuple[int, dict, str]:
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _form_fields(opener, base: str, article) -> dict:
    status, _headers, page = _send(opener, f"{base}{article.get_absolute_url()}")
    assert status == 200
    fields = {}
    # The form holds no CSRF token (the page may be the shared copy): the browser's Origin
    # header vouches for the post instead (newsroom/csrf.py).
    for name in ("ts",):
        match = re.search(rf'name="{name}" value="([^"]+)"', page)
        assert match, name
        fields[name] = html.unescape(match.group(1))
    return fields


def _post_many(base: str, article, *, address: str, as_json: bool) -> list[tuple]:
    opener = _browser(address)
    fields = _form_fields(opener, base, article)
    url = f"{base}/comments/post/{article.pk}/"
    headers = {"Origin": base, "Sec-Fetch-Site": "same-origin"}
    if as_json:
        headers["Accept"] = "application/json"

    def one(n: int):
        data = urllib.parse.urlencode(
            {**fields, "body": f"Comment number {n} on the bridge.", "name": f"Poster {n}",
             "email": f"poster{n}@example.org", "website": ""}
        ).encode()  # fmt: skip
        return _send(opener, urllib.request.Request(url, data=data, headers=headers))

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        return list(pool.map(one, range(ATTEMPTS)))


@pytest.fixture
def article(db):
    return make_article(headline="Council approves the new bridge", slug="new-bridge")


def test_sixth_form_post_from_one_address_gets_429_across_workers(gunicorn, article):
    results = _post_many(gunicorn, article, address="198.51.100.7", as_json=False)
    statuses = sorted(status for status, _h, _b in results)
    assert statuses == [302] * LIMIT + [429] * (ATTEMPTS - LIMIT)
    for status, headers, body in results:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 24 * 60 * 60
            assert "You are posting faster than we can keep up with." in body
            assert "<textarea" in body  # the reader's text is kept in the form
    assert Comment.objects.filter(article=article).count() == LIMIT
    assert Counter.objects.exists()


def test_sixth_json_post_from_one_address_gets_429_across_workers(gunicorn, article):
    results = _post_many(gunicorn, article, address="198.51.100.8", as_json=True)
    statuses = sorted(status for status, _h, _b in results)
    assert statuses == [201] * LIMIT + [429] * (ATTEMPTS - LIMIT)
    for status, headers, body in results:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 24 * 60 * 60
            data = json.loads(body)
            assert data["ok"] is False
            assert data["message"].startswith("You are posting faster than we can keep up with.")
    assert Comment.objects.filter(article=article).count() == LIMIT
