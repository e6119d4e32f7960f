"""An open article page learns of new comments by one tiny request every few seconds
(comments/reader.py): answered 304 from the article's version, without touching the comment
tables, while nothing changed; then the new comments come rendered by the comment partial."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from newsroom import pagecache
from tests.comments.helpers import (
    change_article,
    guest,
    guest_client,
    make_posted_comment,
    member,
    signed_in,
)
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL_H24", "redis://127.0.0.1:6379/9")


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def live(article, etag: str = "", client: Client | None = None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return (client or Client()).get(reverse("comments:live", args=[article.slug]), **headers)


def page_data(article) -> dict:
    html = Client().get(article.get_absolute_url()).content
    return dict(re.findall(rb'data-live-(version|since)="([^"]*)"', html))


def test_the_page_carries_its_version_and_newest_comment(article):
    make_posted_comment(article)
    newest = make_posted_comment(article)

    data = page_data(article)

    assert data[b"version"].decode() == pagecache.article_version(article.slug)
    assert data[b"since"].decode() == str(newest.pk)


def test_an_unchanged_article_answers_304_without_touching_the_comment_tables(article):
    make_posted_comment(article)
    version = page_data(article)[b"version"].decode()

    with CaptureQueriesContext(connection) as queries:
        response = live(article, f'"{version}"')

    assert response.status_code == 304
    assert response["ETag"] == f'"{version}"'
    assert response.content == b""
    # One read of the version, in the PostgreSQL cache's table (none at all with Redis).
    assert len(queries) == 1
    assert 'FROM "newsroom_cache"' in queries[0]["sql"]


def test_with_redis_the_unchanged_check_makes_no_database_query(article, settings):
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {TEST_REDIS_URL}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": f"h24-live-{os.getpid()}",
        }
    }
    first = live(article)
    assert first.status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = live(article, first["ETag"])

    assert response.status_code == 304
    assert len(queries) == 0
    from django.core.cache import cache

    cache.clear()


def test_a_new_visible_comment_changes_the_answer(article, commit):
    make_posted_comment(article)
    version = page_data(article)[b"version"].decode()

    new = commit(make_posted_comment, article, "Just in.")
    response = live(article, f'"{version}"')

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["latest"][0] == new.pk
    assert data["version"] != version
    assert response["ETag"] == f'"{data["version"]}"'
    assert live(article, response["ETag"]).status_code == 304


def test_a_held_comment_is_never_announced(article, commit):
    change_article(article, comments_premoderated=True)
    held = commit(make_posted_comment, article, "Waiting.")

    data = json.loads(live(article).content)

    assert held.pk not in data["latest"]


def test_new_comments_come_rendered_for_the_reader(article):
    user = make_user()
    before = make_posted_comment(article, "Already on the page.")
    parent = make_posted_comment(article, "A parent.")
    theirs = make_posted_comment(article, "Someone's reply.", parent=parent)
    mine = make_posted_comment(article, "My own.", author=member(user))
    services.vote(comment=theirs, voter=member(user), value=1)

    response = signed_in(user).get(
        reverse("comments:live_new", args=[article.slug]), {"since": before.pk}
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "Already on the page." not in html
    assert html.count('<article class="comment') == 3
    assert f'<li class="comment-thread__item" data-parent="{parent.pk}">' in html
    assert reverse("comments:edit", args=[mine.pk]) in html  # their own, theirs to edit
    assert 'aria-pressed="true"' in html  # their vote
    # Another reader gets the same comments without either.
    other = guest_client("someone").get(
        reverse("comments:live_new", args=[article.slug]), {"since": before.pk}
    )
    assert reverse("comments:edit", args=[mine.pk]) not in other.content.decode()
    assert 'aria-pressed="true"' not in other.content.decode()


@pytest.mark.parametrize("since", ["", "x", "-1", "1e3", "9" * 30, "\x00"])
def test_a_bad_since_is_refused_not_an_error(article, since):
    response = Client().get(reverse("comments:live_new", args=[article.slug]), {"since": since})
    assert response.status_code == 400


def test_an_unknown_article_is_a_404_and_leaves_no_version(article):
    from django.core.cache import cache

    for slug in ("no-such-article", "another-made-up-one"):
        assert Client().get(reverse("comments:live", args=[slug])).status_code == 404
        assert Client().get(f"/articles/{slug}/").status_code == 404
        assert cache.get(pagecache._article_key(slug)) is None


def test_a_draft_has_no_live_answer(article):
    guest_comment = make_posted_comment(article, author=guest())
    change_article(article, status="draft")
    assert live(article).status_code == 404
    assert guest_comment.pk  # the comment exists; the draft's page is not public


def test_the_unchanged_answer_comes_before_sessions_and_authentication(article):
    version = page_data(article)[b"version"].decode()
    browser = signed_in(make_user())

    with CaptureQueriesContext(connection) as queries:
        response = live(article, f'W/"x", "{version}"', client=browser)

    assert response.status_code == 304
    assert len(queries) == 1  # the version; no session, no user
    assert "Cookie" not in response.get("Vary", "")
