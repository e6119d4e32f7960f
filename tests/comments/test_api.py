"""Read API: GET /api/articles/<slug>/comments/?sort=&page= — the tree as JSON, sorted and
paginated like the page, with nested replies and never an email address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import delete_comment, vote
from tests.comments.helpers import guest, make_chain, make_posted_comment, member, signed_in
from tests.helpers import make_article, make_author, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reader_settings")]


def api(client, article, **query):
    response = client.get(reverse("comments:api", args=[article.slug]), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def ids(nodes: list[dict]) -> list[int]:
    return [node["id"] for node in nodes]


def test_api_returns_the_threads_with_nested_replies(client, article):
    writer = make_user("writer", first_name="Wendy", last_name="Writer", is_staff=True)
    article.authors.add(make_author(user=writer))
    root = make_posted_comment(
        article, "Hello & welcome\n\n> quoted", author=guest("Ada", "ada@example.org")
    )
    reply = make_posted_comment(
        article, "Thanks, https://example.com", parent=root, author=member(writer)
    )
    vote(comment=reply, voter=member(make_user()), value=1)
    Comment.objects.filter(pk=reply.pk).update(edited_at=timezone.now())
    root.refresh_from_db()
    reply.refresh_from_db()

    data = api(client, article)

    assert data == {
        "article": {
            "id": article.pk,
            "slug": "new-bridge",
            "headline": "Council approves the new bridge",
            "url": "/articles/new-bridge/",
            "comment_count": 2,
            "accepts_comments": True,
        },
        "sort": "oldest",
        "page": 1,
        "pages": 1,
        "threads": 1,
        "next": None,
        "comments": [
            {
                "id": root.pk,
                "parent": None,
                "url": f"/comments/{root.pk}/",
                "created_at": root.created_at.isoformat(),
                "state": "visible",
                "author": {"name": "Ada", "is_article_author": False, "is_staff": False},
                "body": "Hello & welcome\n\n> quoted",
                "body_html": "<p>Hello &amp; welcome</p><blockquote><p>quoted</p></blockquote>",
                "edited_at": None,
                "score": 0,
                "upvotes": 0,
                "downvotes": 0,
                "editors_pick": False,
                "replies": [
                    {
                        "id": reply.pk,
                        "parent": root.pk,
                        "url": f"/comments/{reply.pk}/",
                        "created_at": reply.created_at.isoformat(),
                        "state": "visible",
                        "author": {
                            "name": "Wendy Writer",
                            "is_article_author": True,
                            "is_staff": True,
                        },
                        "body": "Thanks, https://example.com",
                        "body_html": '<p>Thanks, <a href="https://example.com" '
                        'rel="nofollow ugc noopener">https://example.com</a></p>',
                        "edited_at": reply.edited_at.isoformat(),
                        "score": 1,
                        "upvotes": 1,
                        "downvotes": 0,
                        "editors_pick": False,
                        "replies": [],
                    }
                ],
            }
        ],
    }


def test_api_never_includes_email_or_network_addresses(client, article):
    root = make_posted_comment(article, author=guest("Ada", "ada.secret@example.org"))
    make_posted_comment(
        article, parent=root, author=member(make_user("bob", email="bob@example.org"))
    )

    response = client.get(reverse("comments:api", args=[article.slug]))

    assert response.status_code == 200
    (thread,) = response.json()["comments"]
    assert [thread["author"]["name"], thread["replies"][0]["author"]["name"]] == ["Ada", "bob"]
    text = response.content.decode()
    assert "@" not in text
    assert "email" not in text
    assert "192.0.2." not in text


@pytest.fixture
def five_threads(settings, article):
    settings.COMMENTS_PER_PAGE = 2
    now = timezone.now()
    return [
        make_posted_comment(article, f"Thread {n}.", created_at=now - timedelta(hours=10 - n))
        for n in range(1, 6)
    ]


def test_api_pages_and_sorts_like_the_article_page(client, article, five_threads):
    first = api(client, article, sort="newest")
    last = api(client, article, sort="newest", page=3)

    assert ids(first["comments"]) == [five_threads[4].pk, five_threads[3].pk]
    assert (first["sort"], first["page"], first["pages"], first["threads"]) == ("newest", 1, 3, 5)
    assert first["next"] == "/api/articles/new-bridge/comments/?sort=newest&page=2"
    assert ids(last["comments"]) == [five_threads[0].pk]
    assert last["next"] is None


def test_api_most_voted_order(client, article, five_threads):
    vote(comment=five_threads[2], voter=member(make_user()), value=1)

    data = api(client, article, sort="votes")

    assert ids(data["comments"]) == [five_threads[2].pk, five_threads[0].pk]


@pytest.mark.parametrize(
    ("query", "sort", "page"),
    [
        ({"sort": "loudest"}, "oldest", 1),
        ({"page": "abc"}, "oldest", 1),
        ({"page": "99"}, "oldest", 3),
        ({"page": "-1"}, "oldest", 3),
    ],
)
def test_api_unknown_sort_or_page_falls_back(client, article, five_threads, query, sort, page):
    data = api(client, article, **query)

    assert (data["sort"], data["page"]) == (sort, page)


def test_api_shows_a_deleted_comment_with_replies_as_a_bare_placeholder(client, article):
    author = guest("Gone Girl")
    gone = make_posted_comment(article, "Taken back.", author=author)
    reply = make_posted_comment(article, "Still here.", parent=gone)
    delete_comment(comment=gone, actor=author)

    [node] = api(client, article)["comments"]

    assert node == {
        "id": gone.pk,
        "parent": None,
        "url": f"/comments/{gone.pk}/",
        "created_at": gone.created_at.isoformat(),
        "state": "deleted",
        "replies": [node["replies"][0]],
    }
    assert node["replies"][0]["id"] == reply.pk
    assert node["replies"][0]["body"] == "Still here."


def test_api_points_deep_replies_to_their_continued_thread(client, article):
    chain = make_chain(article, 8)

    node = api(client, article)["comments"][0]
    for _ in range(5):
        [node] = node["replies"]

    assert node["id"] == chain[5].pk
    assert node["replies"] == []
    assert node["more_replies"] == 2
    assert node["thread_url"] == f"/comments/{chain[5].pk}/thread/"


def test_api_of_an_unknown_or_unpublished_article_is_a_json_404(client):
    draft = make_article(status="draft", slug="not-yet")

    for slug in ["no-such-story", draft.slug]:
        response = client.get(reverse("comments:api", args=[slug]))
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "message": "No such article."}


def test_api_reports_a_closed_discussion(client, article):
    article.comments_open = False
    article.save()

    assert api(client, article)["article"]["accepts_comments"] is False


def test_api_is_read_only(client, article):
    response = client.post(reverse("comments:api", args=[article.slug]))

    assert response.status_code == 405


def test_staff_are_shown_by_a_display_name_never_their_login_name(client, article):
    anonymous_staff = make_user("root-admin-login", is_staff=True)
    named_staff = make_user("editor-login-42", is_staff=True, first_name="Mina", last_name="Obi")
    reader = make_user("bridgefan")
    make_posted_comment(article, "From the desk.", author=member(anonymous_staff))
    make_posted_comment(article, "Signed, Mina.", author=member(named_staff))
    make_posted_comment(article, "A reader's view.", author=member(reader))

    data = client.get(reverse("comments:api", args=[article.slug])).content.decode()
    html = client.get(article.get_absolute_url()).content.decode()
    for text in (data, html):
        assert "root-admin-login" not in text
        assert "editor-login-42" not in text
        assert "The Newsroom staff" in text
        assert "Mina Obi" in text
        assert "bridgefan" in text  # readers chose their public name at signup
    form = signed_in(anonymous_staff).get(article.get_absolute_url()).content.decode()
    assert "Commenting as <strong>The Newsroom staff</strong>." in form
