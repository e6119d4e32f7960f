"""The article page shows a fixed budget of comments whatever the discussion's size: a page of
threads, the first replies under each comment, a few levels deep; the rest is behind
"N more replies" (a page of its own, or loaded in place by script)."""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import seed
from comments.models import Comment
from tests.comments.helpers import make_posted_comment, page
from tests.helpers import built_for_module, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]

PER_PAGE, SHOWN, DEPTH = 4, 2, 3
MOST = PER_PAGE * (1 + SHOWN + SHOWN**2)  # 28 comments at most
BUDGET = {
    "COMMENTS_PER_PAGE": PER_PAGE,
    "COMMENTS_REPLIES_SHOWN": SHOWN,
    "COMMENTS_MAX_DEPTH": DEPTH,
}


@pytest.fixture
def budget(settings):
    for name, value in BUDGET.items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def _bushy_built(django_db_setup, django_db_blocker):
    """The bushy thread, posted once for the module's tests (``built_for_module``)."""
    with built_for_module(django_db_blocker, build_bushy, **BUDGET) as built:
        yield built


@pytest.fixture
def bushy(budget, _bushy_built, db):
    return _bushy_built


def build_bushy() -> dict:
    """A thread whose root has five replies, each with three replies, each with one."""
    article = make_article(headline="Council approves the new bridge", slug="bushy-bridge")
    root = make_posted_comment(article, "Root says.")
    tree = {"article": article, "root": root, "replies": [], "grand": [], "deep": []}
    for a in range(5):
        reply = make_posted_comment(article, f"Reply {a}.", parent=root)
        tree["replies"].append(reply)
        for b in range(3):
            grand = make_posted_comment(article, f"Reply {a}.{b}.", parent=reply)
            tree["grand"].append(grand)
            tree["deep"].append(make_posted_comment(article, f"Reply {a}.{b}.0.", parent=grand))
    return tree


def shown_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-comment-id="(\d+)"', html)]


def more_link(anchor: Comment, count: int, page_number: int = 1) -> str:
    query = f"?cpage={page_number}" if page_number > 1 else ""
    noun = "reply" if count == 1 else "replies"
    return (
        f'<p class="more-replies"><a href="/comments/{anchor.pk}/thread/{query}" '
        f'data-anchor="{anchor.pk}" data-page="{page_number}">{count} more {noun}</a></p>'
    )


def test_the_page_shows_the_first_replies_of_each_comment_to_a_limited_depth(client, bushy):
    html = page(client, bushy["article"])

    replies, grand = bushy["replies"], bushy["grand"]
    expected = [bushy["root"], replies[0], grand[0], grand[1], replies[1], grand[3], grand[4]]
    assert shown_ids(html) == [c.pk for c in expected]
    assert more_link(bushy["root"], 3) in html  # replies 2, 3 and 4
    assert more_link(replies[0], 1) in html  # reply 0.2
    # The third level is the last: what lies below it continues on the comment's own page.
    assert (
        f'<a href="/comments/{grand[0].pk}/thread/">Continue this thread (1 more reply)</a>'
    ) in html


def test_n_more_replies_opens_every_reply_on_a_page_of_its_own(client, bushy):
    response = client.get(reverse("comments:thread", args=[bushy["root"].pk]))

    assert response.status_code == 200
    html = response.content.decode()
    ids = shown_ids(html)
    assert ids[0] == bushy["root"].pk
    # The anchor's replies are all there (a page holds COMMENTS_PER_PAGE of them)...
    assert [pk for pk in ids if pk in {c.pk for c in bushy["replies"]}] == [
        c.pk for c in bushy["replies"][:PER_PAGE]
    ]
    assert more_link(bushy["root"], 1, page_number=2) in html
    second = client.get(reverse("comments:thread", args=[bushy["root"].pk]), {"cpage": 2})
    assert bushy["replies"][4].pk in shown_ids(second.content.decode())


def test_script_gets_the_same_replies_as_a_fragment(client, bushy):
    response = client.get(reverse("comments:replies", args=[bushy["root"].pk]))

    assert response.status_code == 200
    assert "comments/includes/replies.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<ol class="comment-thread">')
    assert more_link(bushy["root"], 1, page_number=2) in html


def test_page_size_and_queries_do_not_grow_with_the_discussion(client, budget):
    shown, queries = {}, {}
    for size in (10, 2000):
        article = make_article()
        seed.write(article, seed.discussion(size, rng=random.Random(size)), rng=random.Random(1))
        client.get("/")  # the section menu's cache is warm
        with CaptureQueriesContext(connection) as captured:
            html = page(client, article)
        shown[size], queries[size] = len(shown_ids(html)), len(captured)

    assert shown[10] <= 10
    assert PER_PAGE < shown[2000] <= MOST
    # The article's own queries (7), the threads' count and page (2), one query per level of
    # replies below them, the newest visible comment's id (for live updates) and the first
    # threads for search engines' JSON-LD (1 each): the same for 2,000 comments as for 10.
    assert queries == {10: 7 + 2 + (DEPTH - 1) + 2, 2000: 7 + 2 + (DEPTH - 1) + 2}


def test_a_permalink_beyond_the_budget_opens_the_page_that_shows_it(client, bushy):
    hidden = bushy["replies"][3]

    response = client.get(hidden.get_absolute_url())

    root = bushy["root"]
    assert response["Location"] == (
        f"/comments/{root.pk}/thread/?highlight={hidden.pk}#c{hidden.pk}"
    )
    html = client.get(response["Location"].split("#")[0]).content.decode()
    assert f'class="comment comment--highlight" id="c{hidden.pk}"' in html


def test_a_permalink_deep_under_a_hidden_reply_is_found_too(client, bushy):
    deep = bushy["deep"][-1]  # under reply 4: past the budget, and on the third level

    location = client.get(deep.get_absolute_url())["Location"]

    path = location.split("?")[0]
    html = client.get(location.split("#")[0]).content.decode()
    assert f'id="c{deep.pk}"' in html, path
    assert f'class="comment comment--highlight" id="c{deep.pk}"' in html


def test_a_permalink_on_the_second_page_of_replies_says_so(client, article, budget):
    root = make_posted_comment(article, "Popular.")
    replies = [
        make_posted_comment(article, f"Answer {n}.", parent=root) for n in range(PER_PAGE + 1)
    ]

    location = client.get(replies[-1].get_absolute_url())["Location"]

    assert location == (
        f"/comments/{root.pk}/thread/?cpage=2&highlight={replies[-1].pk}#c{replies[-1].pk}"
    )
