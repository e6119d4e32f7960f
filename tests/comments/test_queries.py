"""The article page costs the same number of SQL queries for 10 comments as for 1,000."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from tests.helpers import make_article


def bulk_threads(article, *, threads: int, chain: int) -> None:
    """``threads`` top-level comments, each followed by a chain of ``chain`` nested replies,
    written straight as nested sets (fast, and valid: see comments.integrity)."""
    start = (Comment.objects.order_by("-tree_id").values_list("tree_id", flat=True).first()) or 0
    for t in range(threads):
        tree_id = start + t + 1
        size = chain + 1
        rows = [
            Comment(
                article=article,
                guest_name=f"Reader {t}-{level}",
                guest_email="reader@example.org",
                body=f"Comment {t}-{level}",
                tree_id=tree_id,
                level=level,
                lft=level + 1,
                rght=2 * size - level,
            )
            for level in range(size)
        ]
        created = Comment.objects.bulk_create(rows)
        for parent, child in itertools.pairwise(created):
            child.parent_id = parent.pk
        Comment.objects.bulk_update(created[1:], ["parent"])
    Comment.objects.recount(article.pk)


def count_page_queries(client, article) -> int:
    article.refresh_from_db()
    client.get("/")  # warm the site-wide caches (the section menu) first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_article_page_query_count_does_not_grow_with_comments(client):
    small = make_article()
    bulk_threads(small, threads=2, chain=4)  # 10 comments
    large = make_article()
    bulk_threads(large, threads=100, chain=9)  # 1,000 comments, deeper than the page shows
    assert Comment.objects.filter(article=large).count() == 1000

    small_count = count_page_queries(client, small)
    large_count = count_page_queries(client, large)
    assert small_count == large_count

    from comments.integrity import tree_problems

    assert tree_problems() == []


@pytest.mark.django_db
def test_comment_api_query_count_does_not_grow_with_comments(client):
    small = make_article()
    bulk_threads(small, threads=2, chain=4)
    large = make_article()
    bulk_threads(large, threads=100, chain=9)
    counts = []
    for article in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/articles/{article.slug}/comments/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
