"""The guests' own-data limit holds across gunicorn workers: one network's requests, sent at
once to three workers from addresses of one IPv6 /64 and for different emails, are counted
together in PostgreSQL."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.processes import running_gunicorn

ATTEMPTS = 8
LIMIT = 3

pytestmark = pytest.mark.django_db(transaction=True)


def _post(base: str, n: int) -> int:
    """One script, one address of the /64, its own email; a token from its own GET."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    opener.addheaders = [("X-Forwarded-For", f"2001:db8:7:7::{n + 1}")]
    with opener.open(f"{base}/accounts/data/guest/", timeout=60) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "email": f"guest{n}@example.org"}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/data/guest/", data=data, headers={"Referer": f"{base}/"}
    )
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_one_networks_guest_requests_are_limited_across_workers():
    with running_gunicorn(
        workers=3,
        DATABASE_CONN_MAX_AGE="0",
        OWN_DATA_RATE_LIMITS=f"{LIMIT}/hour",
        NEWSROOM_TRUSTED_PROXY_HOPS="1",
    ) as port:
        base = f"http://127.0.0.1:{port}"
        with ThreadPoolExecutor(ATTEMPTS) as pool:
            statuses = list(pool.map(lambda n: _post(base, n), range(ATTEMPTS)))
    assert sorted(statuses) == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT)
