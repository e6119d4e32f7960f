"""What an edge cache may keep (newsroom/edge.py): anonymous article, home and section pages
say `public` with surrogate keys, a reader's own page stays `private`, and every visible change
purges exactly its keys at every edge after it commits, from a task that retries."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsroom import edge
from tests.comments.helpers import guest_client, make_posted_comment, signed_in
from tests.helpers import make_article, make_section, make_user
from tests.processes import free_port

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400"


@pytest.fixture(autouse=True)
def edge_settings(settings):
    settings.EDGE_CACHE_SECONDS = 300
    settings.EDGE_STALE_WHILE_REVALIDATE = 30
    settings.EDGE_STALE_IF_ERROR = 86400
    settings.EDGE_PURGE_URLS = []


@pytest.fixture
def edge_server(settings):
    """An edge that records the purges it is sent."""
    received: list[tuple[str, str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append((self.command, self.path, self.headers.get("xkey-purge")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield received
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("page_cache_seconds", [0, 300])
def test_an_anonymous_article_page_is_public_with_its_keys(settings, page_cache_seconds):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    article = make_article()

    # Rendered, then (with the page cache on) from the stored copy: the same headers.
    for _ in range(2):
        response = Client().get(article.get_absolute_url())
        assert response.status_code == 200
        assert response["Cache-Control"] == PUBLIC
        assert response["xkey"] == f"site article-{article.pk}"


def test_an_article_page_carries_the_keys_of_the_articles_it_shows():
    section = make_section()
    article = make_article(section=section)
    other = make_article(section=section)  # "More on this topic", with its comment count

    response = Client().get(article.get_absolute_url())

    assert response["xkey"] == f"site article-{article.pk} article-{other.pk}"


@pytest.mark.parametrize("who", ["signed in", "guest"])
def test_a_page_rendered_for_one_reader_is_private_without_keys(who):
    article = make_article()
    client = signed_in(make_user()) if who == "signed in" else guest_client("a" * 32)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response["Cache-Control"] == edge.PRIVATE
    assert not response.has_header("xkey")


def test_the_home_page_names_every_article_it_shows():
    articles = [make_article() for _ in range(3)]

    response = Client().get("/")

    keys = response["xkey"].split()
    assert response["Cache-Control"] == PUBLIC
    assert keys[0] == "site"
    assert sorted(keys[1:]) == sorted(f"article-{a.pk}" for a in articles)


def test_a_section_page_names_its_articles_and_a_search_is_not_kept():
    section = make_section()
    articles = [make_article(section=section) for _ in range(2)]

    listing = Client().get(f"/section/{section.slug}/")
    search = Client().get("/search/", {"q": "Headline"})

    assert listing["Cache-Control"] == PUBLIC
    assert sorted(listing["xkey"].split()) == sorted(
        ["site", *(f"article-{a.pk}" for a in articles)]
    )
    assert search.status_code == 200 and not search.has_header("xkey")
    assert "public" not in search.get("Cache-Control", "")


def test_a_draft_previewed_by_an_editor_is_not_kept(editor):
    draft = make_article(status="draft")

    response = signed_in(editor).get(draft.get_absolute_url())

    assert response.status_code == 200
    assert not response.has_header("xkey")
    assert "public" not in response.get("Cache-Control", "")


def test_a_page_that_changes_by_itself_is_kept_no_longer_than_that():
    until = timezone.now() + timedelta(seconds=120, milliseconds=500)

    assert edge.cache_control(until).startswith("public, max-age=0, s-maxage=120, ")
    assert edge.cache_control(timezone.now()) == "public, max-age=0, must-revalidate"


def test_a_posted_comment_purges_its_article_once_it_commits(
    edge_server, django_capture_on_commit_callbacks
):
    article = make_article()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_posted_comment(article)
    assert callbacks and edge_server == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert edge_server == [("PURGE", "/", f"article-{article.pk}")]


def test_an_editors_change_purges_the_whole_site(edge_server, django_capture_on_commit_callbacks):
    section = make_section()

    with django_capture_on_commit_callbacks(execute=True):
        section.name = "Renamed"
        section.save()

    assert edge_server == [("PURGE", "/", "site")]


def test_without_edge_addresses_nothing_is_queued_or_sent(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = make_article()

    with django_capture_on_commit_callbacks(execute=True):
        make_posted_comment(article)

    assert not DBTaskResult.objects.filter(task_path="newsroom.edge.purge_edge").exists()


def test_an_edge_that_does_not_answer_is_tried_again_later(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    down = f"http://127.0.0.1:{free_port()}/"
    before = timezone.now()

    purged = edge.purge_edge.call(["article-7"], [down], 0)

    assert purged == 0
    retry = DBTaskResult.objects.get(task_path="newsroom.edge.purge_edge")
    assert retry.args_kwargs["args"] == [["article-7"], [down], 1]
    assert retry.run_after >= before + edge.retry_delay(1)


def test_only_the_edges_that_failed_are_tried_again(settings, edge_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    down = f"http://127.0.0.1:{free_port()}/"

    purged = edge.purge_edge.call(["site"], [*settings.EDGE_PURGE_URLS, down], 0)

    assert purged == 1
    assert edge_server == [("PURGE", "/", "site")]
    retry = DBTaskResult.objects.get(task_path="newsroom.edge.purge_edge")
    assert retry.args_kwargs["args"] == [["site"], [down], 1]


def test_a_purge_gives_up_after_its_last_attempt(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    down = f"http://127.0.0.1:{free_port()}/"

    edge.purge_edge.call(["site"], [down], edge.MAX_ATTEMPTS - 1)

    assert not DBTaskResult.objects.exists()
