"""``make bench``: how the comment section's costs grow, as ratios to a baseline measured in
the same run (absolute times depend on the machine; ratios say whether the design scales).

Runs in a throw-away test database, never the development data.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from articles.models import Article, Author, Section  # noqa: E402
from comments import services  # noqa: E402
from comments.domain import Commenter  # noqa: E402
from comments.models import Comment  # noqa: E402


def timed(action: Callable[[], object], repeat: int) -> float:
    action()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def make_article(slug: str, section: Section, author: Author) -> Article:
    article = Article.objects.create(
        headline=slug, slug=slug, standfirst="Bench", body="Body", section=section,
        status=Article.Status.PUBLISHED,
    )  # fmt: skip
    article.authors.add(author)
    return article


def fill(article: Article, *, threads: int, replies: int) -> None:
    """``threads`` top-level comments, each with ``replies`` replies in a chain and a fan."""
    start = Comment.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0
    rows = []
    for t in range(threads):
        size = replies + 1
        for level in range(size):
            rows.append(
                Comment(
                    article=article,
                    guest_name="Bench",
                    guest_email="b@example.org",
                    body=f"Comment {t}.{level} with a few words of text to render.",
                    tree_id=start + t + 1,
                    level=level,
                    lft=level + 1,
                    rght=2 * size - level,
                )
            )
    Comment.objects.bulk_create(rows, batch_size=2000)
    Comment.objects.recount(article.pk)


def reply_cost(thread_size: int, section: Section, author: Author, repeat: int) -> float:
    article = make_article(f"bench-reply-{thread_size}", section, author)
    fill(article, threads=1, replies=thread_size - 1)
    root = Comment.objects.get(article=article, level=0)
    poster = Commenter(name="Bench", email="bench@example.org")
    return timed(
        lambda: services.post_comment(article=article, parent=root, author=poster, body="Reply"),
        repeat,
    )


def main() -> int:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(COMMENTS_RATE_LIMITS="", COMMENTS_DUPLICATE_WINDOW=0):
            return run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> int:
    section = Section.objects.create(name="Bench", slug="bench")
    author = Author.objects.create(name="Bench", slug="bench")
    client = Client()
    print(f"Comments per page: {settings.COMMENTS_PER_PAGE} threads\n")
    print(f"{'measure':<52}{'ratio':>8}{'queries':>9}")

    small = make_article("bench-small", section, author)
    # Every page shows 20 threads of 6 comments; only the total behind them grows.
    fill(small, threads=20, replies=5)  # 120 comments: exactly one full page
    rows = []
    for label, threads, replies in [
        ("article page, 1,000 comments", 100, 9),
        ("article page, 10,000 comments", 1000, 9),
    ]:
        article = make_article(f"bench-{threads}", section, author)
        fill(article, threads=threads, replies=replies)
        rows.append((label, article))

    def page(article: Article) -> Callable[[], object]:
        return lambda: client.get(article.get_absolute_url())

    def queries(article: Article) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(article.get_absolute_url())
        return len(captured)

    baseline = timed(page(small), 15)
    print(f"{'article page, 120 comments (baseline)':<52}{1.0:>8.2f}{queries(small):>9}")
    for label, article in rows:
        print(f"{label:<52}{timed(page(article), 15) / baseline:>8.2f}{queries(article):>9}")

    api = timed(lambda: client.get(f"/api/articles/{small.slug}/comments/"), 15)
    big = rows[-1][1]
    api_big = timed(lambda: client.get(f"/api/articles/{big.slug}/comments/"), 15)
    print(f"{'API, 10,000 vs 120 comments':<52}{api_big / api:>8.2f}")

    base_reply = reply_cost(10, section, author, 20)
    print(f"{'reply into a 10-comment thread (baseline)':<52}{1.0:>8.2f}")
    for size in (1000, 5000):
        cost = reply_cost(size, section, author, 20)
        print(f"{f'reply into a {size:,}-comment thread':<52}{cost / base_reply:>8.2f}")
    print(
        "\nReading stays flat: a page costs the same queries whatever the total. A reply shifts "
        "lft/rght in its own thread only, so its cost grows with that thread, not the site."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
