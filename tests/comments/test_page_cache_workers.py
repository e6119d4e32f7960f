"""The shared copy of a page is shared by every gunicorn worker, and a change made through any
worker replaces it for all of them (the cache and its versions live in PostgreSQL)."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from pathlib import Path

import pytest

from tests.helpers import make_article
from tests.processes import running_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
WORKERS = 3


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body or None, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data.decode()


@pytest.fixture
def gunicorn():
    with running_gunicorn(
        workers=WORKERS,
        COMMENTS_RATE_LIMITS="",
        COMMENTS_FORM_MIN_SECONDS="0",
        NEWSROOM_PAGE_CACHE_SECONDS="300",
        REDIS_URL="",  # the PostgreSQL cache, whatever the environment says
    ) as port:
        yield port


def test_a_comment_posted_through_one_worker_replaces_every_workers_copy(gunicorn):
    article = make_article()
    url = article.get_absolute_url()
    pages = [request(gunicorn, "GET", url)[2] for _ in range(4 * WORKERS)]
    assert all("No comments yet." in html for html in pages)

    # The form as the shared copy carries it (its signed time, no CSRF token).
    stamp = re.search(r'name="ts" value="([^"]+)"', pages[-1]).group(1)
    form = urllib.parse.urlencode(
        {
            "body": "The ferry timetable changes on Monday.",
            "name": "Ada",
            "email": "ada@example.org",
            "website": "",
            "ts": stamp,
        }
    )
    status, headers, _ = request(
        gunicorn,
        "POST",
        f"/comments/post/{article.pk}/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{gunicorn}",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert status == 302, headers

    pages = [request(gunicorn, "GET", url)[2] for _ in range(4 * WORKERS)]
    assert all("The ferry timetable changes on Monday." in html for html in pages)
