"""The shared copy is keyed only by the canonical values of the parameters that change the
page: made-up values, tracking parameters and HEAD requests store nothing new, nothing outside
the key reaches the copy, and no flood of pages pushes out the versions copies are checked
against (newsroom/pagecache.py, newsroom/cache.py)."""

from __future__ import annotations

import random
import string

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from newsroom import pagecache
from tests.comments.helpers import make_posted_comment
from tests.helpers import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


@pytest.fixture(autouse=True)
def page_cache_on(reader_settings):
    reader_settings.PAGE_CACHE_SECONDS = 300
    reader_settings.COMMENTS_PER_PAGE = 2


def stored_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM newsroom_cache WHERE cache_key LIKE '%%pagecache:page3:%%'"
        )
        return cursor.fetchone()[0]


def versions() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cache_key, value FROM newsroom_cache WHERE cache_key LIKE %s",
            [f"%{pagecache.PROTECTED_PREFIX}%"],
        )
        return dict(cursor.fetchall())


def junk(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(12))


@pytest.fixture
def discussion(article):
    for n in range(5):  # three pages of two threads
        make_posted_comment(article, f"Thread {n}.")
    return article


def test_random_highlight_page_sort_and_utm_values_store_no_new_copies(discussion):
    rng = random.Random(24)
    url = discussion.get_absolute_url()
    Client().get(url)
    assert stored_pages() == 1
    kept = versions()

    for _ in range(60):
        query = {
            "highlight": str(rng.randrange(10**9)),
            "utm_source": junk(rng),
            "comments": rng.choice(["nonsense", "OLDEST", "", "oldest", junk(rng)]),
            "cpage": rng.choice(["", "1", "0", "-3", "x", "01", "\x00", "1.5", junk(rng)]),
            "fbclid": junk(rng),
        }
        response = Client().get(url, query)
        assert response.status_code == 200, query
        assert getattr(response, "shared_copy", False)

    assert stored_pages() == 1
    assert versions() == kept


def test_a_page_past_the_last_redirects_to_the_last_and_stores_nothing(discussion):
    url = discussion.get_absolute_url()
    for asked in ("4", "999999", "0099"):
        response = Client().get(url, {"cpage": asked, "utm_source": "x"})
        assert response.status_code == 302
        assert response["Location"] == f"{url}?cpage=3"
    assert stored_pages() == 0
    assert Client().get(url, {"cpage": "3"}).status_code == 200
    assert stored_pages() == 1


def test_an_unknown_sort_gets_the_canonical_copy(discussion):
    url = discussion.get_absolute_url()
    canonical = Client().get(url).content
    assert Client().get(url, {"comments": "<script>"}).content == canonical
    assert Client().get(url, {"comments": "oldest"}).content == canonical
    assert stored_pages() == 1


def test_nothing_outside_the_key_reaches_the_copy(discussion):
    url = discussion.get_absolute_url()
    html = Client().get(url, {"utm_source": "evil-echo", "next": "https://evil.example/"})
    html = html.content.decode()
    assert "evil" not in html
    assert f'href="/accounts/login/?next={url}"' in html  # the sign-in link's own next
    # The copy made from that request is what the next reader gets, clean.
    again = Client().get(url).content.decode()
    assert "evil" not in again and getattr(Client().get(url), "shared_copy", False)


def test_head_requests_never_store_a_copy(discussion):
    url = discussion.get_absolute_url()
    for _ in range(3):
        assert Client().head(url).status_code == 200
    assert stored_pages() == 0

    response = Client().get(url)
    assert response.status_code == 200 and b"Thread 0." in response.content
    assert stored_pages() == 1


def test_a_flood_of_pages_never_evicts_the_version_keys(settings):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2},
        }
    }
    articles = [make_article(slug=f"story-{n}") for n in range(12)]
    for article in articles:
        Client().get(article.get_absolute_url())
    kept = versions()
    assert len(kept) == 13  # the site's and each article's

    for n in range(200):
        cache.set(f"filler-{n}", "x" * 100, timeout=3600)
    for article in articles:
        Client().get(article.get_absolute_url(), {"cpage": "1"})

    assert versions() == kept
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM newsroom_cache")
        assert cursor.fetchone()[0] <= 10 + len(kept) + 1


def test_a_version_is_checked_even_after_the_rest_of_the_cache_is_culled(settings, article):
    settings.CACHES = {"default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 3}}}
    make_posted_comment(article, "First words.")
    Client().get(article.get_absolute_url())
    for n in range(20):
        cache.set(f"filler-{n}", n)
    assert cache.get(pagecache.SITE_KEY) is not None
    assert cache.get(pagecache._article_key(article.slug)) is not None
