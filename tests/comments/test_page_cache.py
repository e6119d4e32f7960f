"""Anonymous readers share one cached copy of an article page (newsroom/pagecache.py): it is
served without rendering, replaced after every change readers could see, and never holds
what belongs to one reader."""

from __future__ import annotations

import gzip
import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import moderation, services, transfer
from comments.models import Comment
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


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed (the test's own never does), so the
    invalidation that waits for the commit happens."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def anonymous_html(article, **query) -> str:
    response = Client().get(article.get_absolute_url(), query)
    assert response.status_code == 200
    return response.content.decode()


def moderator():
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return type(user).objects.get(pk=user.pk)


# --- Served without rendering -----------------------------------------------------------------


def test_second_anonymous_reader_gets_the_copy_in_one_cache_query(article):
    make_posted_comment(article, "Cached words.")
    Client().get(article.get_absolute_url())  # renders and stores

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Cached words." in response.content.decode()
    assert getattr(response, "shared_copy", False)
    # DatabaseCache: one SELECT for the page and its two versions; no rendering queries.
    assert len(queries) == 1
    assert "newsroom_cache" in queries[0]["sql"]


def test_the_shared_copy_sets_no_cookie_and_carries_no_token(article):
    make_posted_comment(article)

    for _ in range(2):  # rendered, then from the cache
        response = Client().get(article.get_absolute_url())
        assert not response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]


def test_the_shared_copy_keeps_the_headers_of_a_rendered_page(article):
    # Served before the security-policy and framing middleware run: their headers come
    # with the stored page.
    rendered = Client().get(article.get_absolute_url())
    stored = Client().get(article.get_absolute_url())
    assert getattr(stored, "shared_copy", False)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert stored[header] == rendered[header], header
    assert int(stored["Content-Length"]) == len(stored.content)
    assert stored.get("Content-Language") == rendered.get("Content-Language")


@pytest.mark.parametrize("failing", ["get_many", "set"])
def test_a_cache_that_fails_means_a_rendered_page_not_an_error(article, monkeypatch, failing):
    make_posted_comment(article, "Still readable.")

    def broken(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(pagecache.cache, failing, broken)
    for _ in range(2):
        response = Client().get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Still readable." in response.content.decode()


def test_html_is_gzipped_and_revalidates_with_a_304(article):
    make_posted_comment(article, "Squeezed.")
    client = Client()
    first = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert first["Content-Encoding"] == "gzip"
    assert "Squeezed." in gzip.decompress(first.content).decode()
    again = client.get(
        article.get_absolute_url(),
        headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


def seconds_later(monkeypatch, seconds: int) -> None:
    """Move the clock the comment form's timestamp (and its signature) reads."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + seconds)


def test_pages_rendered_for_one_reader_are_gzipped_and_revalidate_too(article, monkeypatch):
    client = guest_client("reader-with-a-cookie")
    first = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"
    # A reload a while later renders a new form timestamp: the same page to the reader.
    seconds_later(monkeypatch, 90)

    again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_a_signed_in_readers_reload_revalidates_until_the_csrf_secret_changes(article):
    user = make_user()
    client = signed_in(user)
    first = client.get(article.get_absolute_url())
    assert b"csrfmiddlewaretoken" in first.content  # masked anew on every render

    again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304

    client.logout()
    client.force_login(user)  # a new CSRF secret: the page's tokens would no longer work
    after = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200


def test_any_change_a_reader_sees_changes_the_etag(article):
    client = guest_client("reader-with-a-cookie")
    first = client.get(article.get_absolute_url())
    make_posted_comment(article, "Something new to read.")

    again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_each_page_and_order_of_comments_has_its_own_copy(settings, article):
    settings.COMMENTS_PER_PAGE = 1
    make_posted_comment(article, "Older thread.")
    make_posted_comment(article, "Newer thread.")
    anonymous_html(article)

    assert "Newer thread." in anonymous_html(article, cpage=2)
    # (Search engines' JSON-LD, last on the page, names the first threads on every page.)
    page = anonymous_html(article, comments="newest", cpage=1, utm="x")
    assert "Older thread." not in page.split('<script type="application/ld+json">')[0]


# --- Replaced after every change readers see ----------------------------------------------------


def post_reply(article, root):
    return make_posted_comment(article, "A brand new reply.", parent=root)


def edit(article, root):
    services.edit_comment(comment=root, editor=root._author, body="Edited words.")


def delete(article, root):
    services.delete_comment(comment=root, actor=root._author)


def remove(article, root):
    moderation.moderate(comments=[root], actor=moderator(), action="remove")


def vote(article, root):
    services.vote(comment=root, voter=member(make_user()), value=1)


def pick(article, root):
    moderation.set_featured(comments=[root], actor=moderator(), featured=True)


def edit_article(article, root):
    change_article(article, headline="Council delays the new bridge")


def close_by_editor(article, root):
    change_article(article, comments_open=False)


def close_by_moderator(article, root):
    moderation.close_discussion(article=article, actor=moderator())


def hide_after_reports(article, root):
    services.report(comment=root, reporter=guest(), reason="abuse")


def start_thread(article, root):
    make_posted_comment(article, "A brand new thread.")


def approve(article, root):
    # Held, which leaves the copy alone (test_a_comment_held_for_review_keeps_the_copy), then
    # approved, which does not.
    held = make_posted_comment(article, "Approved at last.", status=Comment.Status.PENDING)
    moderation.moderate(comments=[held], actor=moderator(), action="approve")


def hold_after_edit(article, root):
    root.article.comments_premoderated = True
    services.edit_comment(comment=root, editor=root._author, body="Edited into a queue.")


def erase(article, root):
    moderation.erase_commenter(email=root._author.email)


CHANGES = {
    "posted": (post_reply, "A brand new reply."),
    "edited": (edit, "Edited words."),
    "deleted": (delete, "Comment deleted"),
    "removed": (remove, "Comment removed"),
    "voted": (vote, '<span class="vote__count">1</span>'),
    "picked": (pick, 'class="badge badge--pick"'),
    "article-edited": (edit_article, "Council delays the new bridge"),
    "closed-by-editor": (close_by_editor, "Comments on this article are closed."),
    "closed-by-moderator": (close_by_moderator, "Comments on this article are closed."),
    "hidden-after-reports": (hide_after_reports, ">1 Comment</h2>"),
    "thread-started": (start_thread, "A brand new thread."),
    "approved": (approve, "Approved at last."),
    "held-after-edit": (hold_after_edit, ">1 Comment</h2>"),
    "erased": (erase, "Comment deleted"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_no_stale_copy_after_a_change_readers_see(settings, article, commit, change):
    settings.COMMENTS_REPORTS_TO_HIDE = 1
    action, now_shown = change
    author = guest(key="root-author")
    root = make_posted_comment(article, "The first word.", author=author)
    make_posted_comment(article, "A reply that keeps threads.", parent=root)
    root._author = author
    before = anonymous_html(article)
    assert now_shown not in before
    assert anonymous_html(article) == before  # served from the copy

    commit(action, article, root)

    assert now_shown in anonymous_html(article)


def test_no_stale_copy_after_a_discussion_is_reopened(article, commit):
    moderation.close_discussion(article=article, actor=moderator())
    before = anonymous_html(article)
    assert "Comments on this article are closed." in before
    assert anonymous_html(article) == before  # served from the copy

    commit(moderation.open_discussion, article=article, actor=moderator())

    assert "Comments on this article are closed." not in anonymous_html(article)


def test_no_stale_copy_after_a_discussion_is_imported(article, commit):
    make_posted_comment(article, "This comment came back with the import.")
    document = transfer.export(articles=[article])
    Comment.objects.filter(article=article).delete()
    Comment.objects.recount(article.pk)
    before = anonymous_html(article)
    assert "This comment came back with the import." not in before
    assert anonymous_html(article) == before  # served from the copy

    commit(transfer.import_document, document)

    assert "This comment came back with the import." in anonymous_html(article)


def test_a_comment_held_for_review_keeps_the_copy(article, commit):
    make_posted_comment(article, "Visible.")
    change_article(article, comments_premoderated=True)
    before = anonymous_html(article)

    commit(make_posted_comment, article, "Waiting for a moderator.")

    assert anonymous_html(article) == before


# --- Never one reader's page for another --------------------------------------------------------


def test_signed_in_readers_name_never_reaches_anonymous_readers(article):
    make_posted_comment(article)
    user = make_user(username="ada-private")
    mine = signed_in(user).get(article.get_absolute_url()).content.decode()
    assert "ada-private" in mine

    assert "ada-private" not in anonymous_html(article)
    assert "ada-private" not in anonymous_html(article)


def test_a_guests_pending_comment_edit_links_and_votes_stay_theirs(article, commit):
    change_article(article, comments_premoderated=True)
    # A visible comment, approved by a moderator, that the guest votes on.
    other = make_posted_comment(article, "Someone else's words.")
    moderation.moderate(comments=[other], actor=moderator(), action="approve")
    author = guest("Private Person", key="private-browser")
    pending = make_posted_comment(article, "My words, awaiting review.", author=author)
    services.vote(comment=other, voter=author, value=1)
    browser = guest_client("private-browser", n="Private Person", e="private@example.org")

    theirs = browser.get(article.get_absolute_url()).content.decode()
    assert "My words, awaiting review." in theirs
    assert reverse("comments:edit", args=[pending.pk]) in theirs
    assert 'aria-pressed="true"' in theirs
    assert 'value="Private Person"' in theirs

    for _ in range(2):
        shared = anonymous_html(article)
        assert "My words, awaiting review." not in shared
        assert reverse("comments:edit", args=[pending.pk]) not in shared
        assert 'aria-pressed="true"' not in shared
        assert "Private Person" not in shared


def test_readers_with_cookies_never_get_the_shared_copy(article):
    make_posted_comment(article, "Old text.")
    anonymous_html(article)
    Comment.objects.update(body="Changed without telling the cache.")

    for client in (guest_client("someone"), signed_in(make_user())):
        response = client.get(article.get_absolute_url())
        assert not getattr(response, "shared_copy", False)
        assert "Changed without telling the cache." in response.content.decode()


def test_an_editors_preview_is_never_shared(article):
    change_article(article, status="draft")
    editor = make_user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="preview_article"))

    assert signed_in(editor).get(article.get_absolute_url()).status_code == 200
    assert Client().get(article.get_absolute_url()).status_code == 404
