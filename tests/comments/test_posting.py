"""Posting: guests (name and email, remembered by a signed cookie) or signed-in readers, replies
at any depth, landing on the new comment, and closed discussions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import identity
from comments.forms import form_timestamp
from comments.models import Comment
from tests.comments.helpers import (
    change_article,
    guest_client,
    kept,
    make_chain,
    make_posted_comment,
    page,
    post,
    posted_id,
    read_guest_cookie,
    signed_in,
)
from tests.helpers import make_article, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


def test_guest_comment_is_saved_with_name_email_and_browser_key(client, article):
    response = post(client, article, "The bridge is long overdue.")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert response["Location"] == f"/comments/{comment.pk}/"
    assert (comment.article, comment.parent, comment.user) == (article, None, None)
    assert (comment.guest_name, comment.guest_email) == ("Ada Lovelace", "ada@example.org")
    assert comment.body == "The bridge is long overdue."
    assert comment.status == Comment.Status.APPROVED
    assert re.fullmatch(r"[0-9a-f]{64}", comment.author_key)
    assert comment.ip_address == "127.0.0.1"
    article.refresh_from_db()
    assert article.comment_count == 1


def test_after_posting_the_reader_lands_on_their_new_comment(client, article):
    response = post(client, article, "Landing here.")
    pk = posted_id(response)

    permalink = client.get(response["Location"])

    assert permalink.status_code == 302
    assert permalink["Location"] == f"/articles/new-bridge/?highlight={pk}#c{pk}"
    html = page(client, article, highlight=pk)
    assert f'<article class="comment comment--highlight" id="c{pk}" data-comment-id="{pk}">' in html
    assert "<p>Landing here.</p>" in html
    assert '<h2 id="comments-heading" class="comments__heading">1 Comment</h2>' in html


def test_guest_email_is_never_shown_to_other_readers(client, article):
    response = post(client, article, "Hello.", name="Ada", email="ada.private@example.org")
    pk = posted_id(response)
    make_posted_comment(article, "A reply.", parent=Comment.objects.get(pk=pk))
    other = Client()

    urls = [
        article.get_absolute_url(),
        f"{article.get_absolute_url()}?highlight={pk}",
        reverse("comments:fragment", args=[article.pk]),
        reverse("comments:reply", args=[pk]),
        reverse("comments:thread", args=[pk]),
        reverse("comments:report", args=[pk]),
        reverse("comments:api", args=[article.slug]),
    ]
    for url in urls:
        response = other.get(url)
        assert response.status_code == 200, url
        assert b"ada.private" not in response.content, url
        assert b"Ada" in response.content, url


def test_browser_remembers_the_guest_name_and_email_in_a_signed_cookie(client, article):
    post(client, article, name="Ada Lovelace", email="ada@example.org")

    cookie = client.cookies[identity.COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 60 * 60 * 24 * 365
    state = read_guest_cookie(cookie.value)
    assert (state["n"], state["e"]) == ("Ada Lovelace", "ada@example.org")
    html = page(client, article)
    assert 'name="name" value="Ada Lovelace"' in html
    assert 'name="email" value="ada@example.org"' in html


def test_a_tampered_guest_cookie_is_ignored(article):
    browser = guest_client("key-1", n="Ada Lovelace", e="ada@example.org")
    cookie = browser.cookies[identity.COOKIE]
    browser.cookies[identity.COOKIE] = cookie.value.replace("Ada", "Eve")
    with pytest.raises(signing.BadSignature):
        read_guest_cookie(browser.cookies[identity.COOKIE].value)

    html = page(browser, article)

    assert "Eve" not in html
    assert 'name="name" value=' not in html


def test_guest_comments_from_one_browser_share_its_key(client, article):
    first = posted_id(post(client, article, "First."))
    second = posted_id(post(client, article, "Second."))

    keys = set(Comment.objects.filter(pk__in=[first, second]).values_list("author_key", flat=True))
    assert len(keys) == 1
    assert keys != {""}


def test_signed_in_reader_posts_under_their_account_without_name_or_email(article):
    user = make_user("alice", first_name="Alice", last_name="Liddell")
    client = signed_in(user)

    html = page(client, article)
    assert "Commenting as <strong>Alice Liddell</strong>." in html
    assert 'name="email"' not in html
    response = post(client, article, "Signed in.", name=None, email=None)

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.guest_name, comment.guest_email, comment.author_key) == (
        user,
        "",
        "",
        "",
    )
    assert identity.COOKIE not in response.cookies
    assert '<span class="comment__author">Alice Liddell</span>' in page(client, article)


def test_signed_in_reader_without_full_name_is_shown_by_username(article):
    client = signed_in(make_user("bob"))
    post(client, article, "Hi.", name=None, email=None)

    assert '<span class="comment__author">bob</span>' in page(Client(), article)


def test_reply_nests_under_the_comment_it_answers(client, article):
    parent = make_posted_comment(article, "What about cyclists?")

    response = post(client, article, "There is a cycle lane.", parent=parent.pk)

    reply = Comment.objects.get(pk=posted_id(response))
    assert (reply.parent, reply.level, reply.tree_id) == (parent, 1, parent.tree_id)
    html = page(client, article)
    thread = html[html.index(f'id="c{parent.pk}"') :]
    assert thread.index("What about cyclists?") < thread.index('<ol class="comment-thread">')
    assert thread.index('<ol class="comment-thread">') < thread.index("There is a cycle lane.")


def test_reply_is_accepted_at_any_depth(client, article):
    chain = make_chain(article, 8)

    response = post(client, article, "Nine levels deep.", parent=chain[-1].pk)

    assert response.status_code == 302
    reply = Comment.objects.get(pk=posted_id(response))
    assert (reply.parent, reply.level) == (chain[-1], 8)
    landing = client.get(response["Location"])
    assert landing["Location"] == (
        f"/comments/{chain[5].pk}/thread/?highlight={reply.pk}#c{reply.pk}"
    )
    thread = client.get(f"/comments/{chain[5].pk}/thread/").content.decode()
    assert "<p>Nine levels deep.</p>" in thread


def test_reply_page_quotes_the_parent_and_holds_the_form(client, article):
    parent = make_posted_comment(article, "Quote me.")

    response = client.get(reverse("comments:reply", args=[parent.pk]))

    assert response.status_code == 200
    assert "comments/form_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "<p>Quote me.</p>" in html
    assert f'<input type="hidden" name="parent" value="{parent.pk}"' in html
    assert '<button type="submit" class="button">Post reply</button>' in html


def test_reply_page_prefills_the_remembered_guest_details(article):
    parent = make_posted_comment(article)
    browser = guest_client("key-2", n="Ada Lovelace", e="ada@example.org")

    html = browser.get(reverse("comments:reply", args=[parent.pk])).content.decode()

    assert 'name="name" value="Ada Lovelace"' in html
    assert 'name="email" value="ada@example.org"' in html


def test_posting_with_json_answers_with_the_rendered_comment(client, article):
    response = post(client, article, "Via script.", as_json=True)

    assert response.status_code == 201
    comment = Comment.objects.get()
    data = response.json()
    html = data.pop("html")
    assert data == {
        "ok": True,
        "id": comment.pk,
        "status": "approved",
        "url": f"/comments/{comment.pk}/",
        "message": "Your comment has been posted.",
        "heading": "1 Comment",  # the page's script puts the new count in the heading
    }
    assert f'id="c{comment.pk}"' in html
    assert '<div class="comment__body"><p>Via script.</p></div>' in html
    assert identity.COOKIE in response.cookies


def test_the_article_page_form_posts_with_its_csrf_token_and_timestamp(settings, article):
    settings.COMMENTS_FORM_MIN_SECONDS = 0
    browser = Client(enforce_csrf_checks=True)
    html = page(browser, article)
    form = html[html.index('<form class="comment-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    ts = re.search(r'name="ts" value="([^"]+)"', form).group(1)

    response = browser.post(
        reverse("comments:post", args=[article.pk]),
        {
            "csrfmiddlewaretoken": token,
            "ts": ts,
            "website": "",
            "body": "Posted from the page.",
            "name": "Ada",
            "email": "ada@example.org",
        },
    )

    assert response.status_code == 302
    assert Comment.objects.get().body == "Posted from the page."


def test_body_is_stored_trimmed_with_unified_line_endings(client, article):
    post(client, article, "  First line.\r\nSecond line.\r\n\r\nNew paragraph.  ")

    assert Comment.objects.get().body == "First line.\nSecond line.\n\nNew paragraph."


def test_body_of_exactly_5000_characters_is_accepted(client, article):
    response = post(client, article, "x" * 5000)

    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 5000


def test_body_of_one_character_is_accepted(client, article):
    assert post(client, article, "!").status_code == 302


def test_posting_too_soon_after_the_form_was_shown_is_refused(client, article):
    response = post(client, article, "Bot speed.", ts=form_timestamp())

    assert response.status_code == 400
    assert "That was very fast. Please check your comment and post it again." in (
        response.content.decode()
    )
    assert not Comment.objects.exists()


# --- Closed discussions ----------------------------------------------------------------------


@pytest.fixture
def closed(article):
    make_posted_comment(article, "Said before closing.")
    return change_article(article, comments_open=False)


def test_closed_discussion_replaces_the_form_with_a_notice(client, closed):
    html = page(client, closed)

    assert '<p class="notice notice--closed">Comments on this article are closed.</p>' in html
    assert '<form class="comment-form"' not in html
    assert "Said before closing." in html
    assert '<h2 id="comments-heading" class="comments__heading">1 Comment</h2>' in html
    assert 'class="comment__action reply-link"' not in html


def test_discussion_closes_by_itself_after_its_closing_days(client):
    article = make_article(
        comments_close_after_days=2, published_at=timezone.now() - timedelta(days=3)
    )

    assert '<p class="notice notice--closed">' in page(client, article)
    response = post(client, article, "Too late.")
    assert response.status_code == 403


def test_posting_to_a_closed_discussion_is_refused_with_a_message(client, closed):
    response = post(client, closed, "Let me in.")

    assert response.status_code == 403
    html = response.content.decode()
    assert '<p class="message message--error">Comments on this article are closed.</p>' in html
    assert kept("Let me in.") in html
    assert Comment.objects.count() == 1


def test_replying_in_a_closed_discussion_is_refused(client, closed):
    parent = Comment.objects.get()

    response = post(client, closed, "Late reply.", parent=parent.pk, as_json=True)

    assert response.status_code == 403
    assert response.json() == {"ok": False, "message": "Comments on this article are closed."}
    assert Comment.objects.count() == 1


def test_reply_page_of_a_closed_discussion_shows_the_notice_instead_of_the_form(client, closed):
    parent = Comment.objects.get()

    response = client.get(reverse("comments:reply", args=[parent.pk]))

    html = response.content.decode()
    assert "Comments on this article are closed." in html
    assert '<form class="comment-form"' not in html


def test_comments_cannot_be_posted_on_an_unpublished_article(client):
    draft = make_article(status="draft")

    assert post(client, draft).status_code == 404
    assert not Comment.objects.exists()
