"""The shared copy of a page is shared by every gunicorn worker, and a change made through any
worker replaces it for all of them (the cache and its versions live in PostgreSQL)."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import make_article

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
WORKERS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body or None, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data.decode()


@pytest.fixture
def gunicorn():
    db = connection.settings_dict
    host = urllib.parse.quote(db["HOST"] or "", safe="")
    port_part = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}{password}@{host}{port_part}/{db['NAME']}",
        # Development settings, as the other gunicorn tests use: production settings would need
        # collectstatic's manifest, which a fresh clone's test run has not made.
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="test-only-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        COMMENTS_RATE_LIMITS="",
        COMMENTS_FORM_MIN_SECONDS="0",
        NEWSROOM_PAGE_CACHE_SECONDS="300",
    )
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "newsroom.wsgi",
        ],
        cwd=BASE_DIR,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_comment_posted_through_one_worker_replaces_every_workers_copy(gunicorn):
    article = make_article()
    url = article.get_absolute_url()
    pages = [request(gunicorn, "GET", url)[2] for _ in range(4 * WORKERS)]
    assert all("No comments yet." in html for html in pages)

    # The form as the shared copy carries it (its signed time, no CSRF token).
    stamp = re.search(r'name="ts" value="([^"]+)"', pages[-1]).group(1)
    form = urllib.parse.urlencode(
        {
            "body": "Seen by every worker.",
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
    assert all("Seen by every worker." in html for html in pages)
