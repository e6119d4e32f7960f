"""Reading: the count, the sort tabs, pages of threads, permalinks, deep threads, the
"edited" mark and the badges."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import delete_comment, vote
from tests.comments.helpers import (
    change_article,
    guest,
    make_chain,
    make_posted_comment,
    member,
    page,
)
from tests.helpers import make_article, make_author, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


def order_of(html: str, bodies: list[str]) -> list[str]:
    """``bodies`` in the order the page shows them (not the JSON-LD for search engines, which
    closes the page and names its first threads whatever page this is)."""
    html = html.split('<script type="application/ld+json">')[0]
    found = [body for body in bodies if body in html]
    return sorted(found, key=html.index)


def heading(count_text: str) -> str:
    return f'<h2 id="comments-heading" class="comments__heading">{count_text}</h2>'


# --- The count ------------------------------------------------------------------------------


def test_article_without_comments_says_so(client, article):
    html = page(client, article)

    assert heading("0 Comments") in html
    assert '<p class="comments__empty">No comments yet.</p>' in html
    assert 'class="comment-sort"' not in html


def test_one_comment_is_counted_in_the_singular(client, article):
    make_posted_comment(article)

    assert heading("1 Comment") in page(client, article)


def test_count_includes_only_visible_comments(client, article):
    author = guest()
    first = make_posted_comment(article, "Visible root.")
    make_posted_comment(article, "Visible reply.", parent=first)
    deleted = make_posted_comment(article, "Deleted with a reply.", author=author)
    make_posted_comment(article, "Reply that keeps it.", parent=deleted)
    delete_comment(comment=deleted, actor=author)
    change_article(article, comments_premoderated=True)
    make_posted_comment(article, "Awaiting moderation.")

    html = page(client, article)

    assert heading("3 Comments") in html
    assert "Awaiting moderation." not in html
    assert "Deleted with a reply." not in html


# --- Sorting --------------------------------------------------------------------------------


@pytest.fixture
def conversation(article):
    """Three threads (A oldest, C newest), replies A1 then A2 under A, and votes that put B
    first, then C, then A; A2 has more votes than A1."""
    now = timezone.now()
    a = make_posted_comment(article, "Thread A.", created_at=now - timedelta(hours=3))
    a1 = make_posted_comment(article, "Reply A1.", parent=a)
    a2 = make_posted_comment(article, "Reply A2.", parent=a)
    b = make_posted_comment(article, "Thread B.", created_at=now - timedelta(hours=2))
    c = make_posted_comment(article, "Thread C.", created_at=now - timedelta(hours=1))
    voters = [replace(member(make_user()), ip=f"198.51.100.{n + 1}") for n in range(3)]
    for voter in voters:
        vote(comment=b, voter=voter, value=1)
        vote(comment=a2, voter=voter, value=1)
    vote(comment=c, voter=voters[0], value=1)
    vote(comment=a, voter=voters[0], value=-1)
    return {"a": a, "a1": a1, "a2": a2, "b": b, "c": c}


BODIES = ["Thread A.", "Reply A1.", "Reply A2.", "Thread B.", "Thread C."]


NEWEST = ["Thread C.", "Thread B.", "Thread A.", "Reply A1.", "Reply A2."]
MOST_VOTED = ["Thread B.", "Thread C.", "Thread A.", "Reply A1.", "Reply A2."]


@pytest.mark.parametrize(
    ("query", "expected", "tab"),
    [
        pytest.param({}, BODIES, "Oldest", id="oldest-by-default"),
        pytest.param({"comments": "oldest"}, BODIES, "Oldest", id="oldest"),
        pytest.param({"comments": "newest"}, NEWEST, "Newest", id="newest"),
        pytest.param({"comments": "votes"}, MOST_VOTED, "Most voted", id="most-voted"),
        pytest.param({"comments": "random"}, BODIES, "Oldest", id="unknown-falls-back-to-oldest"),
    ],
)
def test_sort_orders_threads_and_keeps_replies_in_conversation_order(
    client, article, conversation, query, expected, tab
):
    html = page(client, article, **query)

    assert order_of(html, BODIES) == expected
    assert f'aria-current="true">{tab}</a>' in html


def test_sort_tabs_link_each_order_and_mark_the_current_one(client, article, conversation):
    html = page(client, article, comments="newest")

    assert '<a href="?comments=oldest#comments">Oldest</a>' in html
    assert '<a href="?comments=newest#comments" aria-current="true">Newest</a>' in html
    assert '<a href="?comments=votes#comments">Most voted</a>' in html


# --- Pages of threads --------------------------------------------------------------------------


@pytest.fixture
def five_threads(settings, article):
    settings.COMMENTS_PER_PAGE = 2
    threads = [make_posted_comment(article, f"Thread {n}.") for n in range(1, 6)]
    make_posted_comment(article, "Reply to thread 1.", parent=threads[0])
    make_posted_comment(article, "Reply to thread 4.", parent=threads[3])
    return threads


THREAD_BODIES = [f"Thread {n}." for n in range(1, 6)]


def view_more(sort: str, page_number: int) -> str:
    return (
        f'<a class="button button--secondary load-more" rel="next" '
        f'href="?comments={sort}&amp;cpage={page_number}#comments" data-sort="{sort}" '
        f'data-page="{page_number}">View more comments</a>'
    )


def test_threads_are_paginated_by_the_comments_per_page_setting(client, article, five_threads):
    first = page(client, article)
    second = page(client, article, cpage=2)
    third = page(client, article, cpage=3)

    assert order_of(first, THREAD_BODIES) == ["Thread 1.", "Thread 2."]
    assert "Reply to thread 1." in first
    assert order_of(second, THREAD_BODIES) == ["Thread 3.", "Thread 4."]
    assert "Reply to thread 4." in second
    assert order_of(third, THREAD_BODIES) == ["Thread 5."]
    assert heading("7 Comments") in third


def test_view_more_comments_links_to_the_next_page_in_the_same_order(client, article, five_threads):
    assert view_more("oldest", 2) in page(client, article)
    assert view_more("newest", 3) in page(client, article, comments="newest", cpage=2)
    assert "View more comments" not in page(client, article, cpage=3)


def test_view_more_fragment_returns_the_next_page_of_threads(client, article, five_threads):
    response = client.get(
        reverse("comments:fragment", args=[article.pk]), {"comments": "oldest", "cpage": 2}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "comments/includes/page.html"
    html = response.content.decode()
    assert html.startswith('<div class="comment-page" data-page="2">')
    assert order_of(html, THREAD_BODIES) == ["Thread 3.", "Thread 4."]
    assert "<html" not in html
    assert view_more("oldest", 3) in html


def test_page_number_out_of_range_shows_the_nearest_page(client, article, five_threads):
    assert order_of(page(client, article, cpage=99), THREAD_BODIES) == ["Thread 5."]
    assert order_of(page(client, article, cpage="abc"), THREAD_BODIES) == [
        "Thread 1.",
        "Thread 2.",
    ]


# --- Permalinks -----------------------------------------------------------------------------


def highlighted(pk: int) -> str:
    return f'<article class="comment comment--highlight" id="c{pk}" data-comment-id="{pk}">'


def test_permalink_opens_the_page_that_holds_the_comment_and_highlights_it(
    client, article, five_threads
):
    reply = Comment.objects.get(body="Reply to thread 4.")

    response = client.get(reply.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == f"/articles/new-bridge/?cpage=2&highlight={reply.pk}#c{reply.pk}"
    html = page(client, article, cpage=2, highlight=reply.pk)
    assert highlighted(reply.pk) in html
    assert len(re.findall("comment--highlight", html)) == 1


def test_permalink_on_the_first_page_needs_no_page_number(client, article, five_threads):
    first = five_threads[0]

    response = client.get(first.get_absolute_url())

    assert response["Location"] == f"/articles/new-bridge/?highlight={first.pk}#c{first.pk}"


def test_permalink_can_open_the_page_in_another_order(client, article, five_threads):
    first = five_threads[0]

    response = client.get(first.get_absolute_url(), {"sort": "newest"})

    assert response["Location"] == (
        f"/articles/new-bridge/?comments=newest&cpage=3&highlight={first.pk}#c{first.pk}"
    )


def test_every_comment_links_to_its_permalink(client, article):
    comment = make_posted_comment(article)

    html = page(client, article)

    assert f'<a class="comment__time" href="/comments/{comment.pk}/"' in html
    assert f'<a class="comment__action" href="/comments/{comment.pk}/">Link</a>' in html


def test_permalink_of_a_comment_on_an_unpublished_article_is_404(client):
    comment = make_posted_comment(make_article())
    comment.article.status = "draft"
    comment.article.save()

    assert client.get(comment.get_absolute_url()).status_code == 404
    assert client.get(reverse("comments:thread", args=[comment.pk])).status_code == 404
    assert client.get(reverse("comments:fragment", args=[comment.article.pk])).status_code == 404


# --- Deep threads ---------------------------------------------------------------------------


def test_article_page_shows_six_levels_then_offers_to_continue_the_thread(client, article):
    chain = make_chain(article, 8)

    html = page(client, article)

    for comment in chain[:6]:
        assert f"<p>{comment.body}</p>" in html
    for comment in chain[6:]:
        assert comment.body not in html
    assert html.count('<ol class="comment-thread">') == 6
    assert (
        f'<p class="continue-thread"><a href="/comments/{chain[5].pk}/thread/">'
        "Continue this thread (2 more replies)</a></p>"
    ) in html


def test_continue_this_thread_counts_a_single_reply_in_the_singular(client, article):
    chain = make_chain(article, 7)

    assert (
        f'<a href="/comments/{chain[5].pk}/thread/">Continue this thread (1 more reply)</a>'
    ) in page(client, article)


def test_continued_thread_page_shows_the_deeper_replies(client, article):
    chain = make_chain(article, 8)

    response = client.get(reverse("comments:thread", args=[chain[5].pk]))

    assert response.status_code == 200
    assert "comments/thread_page.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert order_of(html, [c.body for c in chain]) == [c.body for c in chain[5:]]
    assert f'<a href="/comments/{chain[4].pk}/">Up to the earlier part of this thread</a>' in html


def test_continued_thread_caps_again_and_continues_further(client, article):
    chain = make_chain(article, 13)

    html = client.get(reverse("comments:thread", args=[chain[5].pk])).content.decode()

    assert order_of(html, [c.body for c in chain]) == [c.body for c in chain[5:11]]
    assert (
        f'<a href="/comments/{chain[10].pk}/thread/">Continue this thread (2 more replies)</a>'
    ) in html


@pytest.mark.parametrize(
    ("level", "anchor_level"), [(5, None), (6, 5), (10, 5), (11, 10), (12, 10)]
)
def test_permalink_of_a_deep_reply_opens_the_page_that_shows_it(
    client, article, level, anchor_level
):
    chain = make_chain(article, 13)
    comment = chain[level]

    location = urlsplit(client.get(comment.get_absolute_url())["Location"])

    expected = (
        "/articles/new-bridge/"
        if anchor_level is None
        else f"/comments/{chain[anchor_level].pk}/thread/"
    )
    assert (location.path, location.fragment) == (expected, f"c{comment.pk}")
    shown = client.get(f"{location.path}?{location.query}").content.decode()
    assert f'id="c{comment.pk}"' in shown
    assert f"<p>{comment.body}</p>" in shown


def test_permalink_of_a_deep_reply_highlights_it_on_the_thread_page(client, article):
    chain = make_chain(article, 8)
    comment = chain[7]

    response = client.get(comment.get_absolute_url(), follow=True)

    assert response.status_code == 200
    assert highlighted(comment.pk) in response.content.decode()


def test_continue_this_thread_is_not_offered_for_replies_the_reader_cannot_see(client, article):
    chain = make_chain(article, 6)
    change_article(article, comments_premoderated=True)
    make_posted_comment(article, "Held for review.", parent=chain[5])

    html = page(client, article)

    assert "Continue this thread" not in html


# --- Marks and badges -----------------------------------------------------------------------


def test_edited_comment_is_marked_edited(client, article):
    make_posted_comment(article, "Never touched.")
    make_posted_comment(article, "Changed later.", edited_at=timezone.now())

    html = page(client, article)

    assert html.count('<span class="comment__edited">edited</span>') == 1
    changed = html[html.index("Changed later.") - 1500 : html.index("Changed later.")]
    assert '<span class="comment__edited">edited</span>' in changed


def test_the_articles_author_and_staff_get_badges(client):
    writer = make_user("writer", first_name="Wendy", last_name="Writer")
    other_writer = make_user("other-writer")
    staffer = make_user("staffer", is_staff=True)
    reader = make_user("reader")
    article = make_article(authors=[make_author(name="Wendy Writer", user=writer)])
    make_article(authors=[make_author(user=other_writer)])
    for user in (writer, other_writer, staffer, reader):
        make_posted_comment(article, f"Said by {user.username}.", author=member(user))
    make_posted_comment(article, "Said by a guest.", author=guest("Wendy Writer"))

    html = page(client, article)

    author = '<span class="badge badge--author">Author</span>'
    staff = '<span class="badge badge--staff">Staff</span>'
    assert html.count(author) == 1
    assert html.count(staff) == 1
    for comment in Comment.objects.all():
        header = html[html.index(f'id="c{comment.pk}"') :]
        header = header[: header.index("</header>")]
        expected = {
            "Said by writer.": (True, False),
            "Said by staffer.": (False, True),
        }.get(comment.body, (False, False))
        assert (author in header, staff in header) == expected, comment.body


def test_comment_author_badge_is_shown_to_every_reader(article):
    writer = make_user("columnist")
    article.authors.add(make_author(user=writer))
    make_posted_comment(article, "From the desk.", author=member(writer))

    assert '<span class="badge badge--author">Author</span>' in page(Client(), article)
