"""Discussions shaped like real ones, written fast: about a tenth of the comments start a
thread, the rest reply to one of the most recent comments, so threads grow deep and bushy.

The nested-set fields (``tree_id``, ``lft``, ``rght``, ``level``) are computed in Python,
spread out as ``comments.tree`` keeps them, and the rows written with ``bulk_create``:
100,000 comments take seconds instead of the hours one-by-one inserts would.
``comments.integrity`` checks them.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from articles.models import Article
from comments import tree
from comments.models import Comment
from newsroom import pagecache

WORDS = [
    "the",
    "council",
    "bridge",
    "river",
    "budget",
    "harbour",
    "vote",
    "residents",
    "plan",
    "traffic",
    "ferry",
    "cost",
    "year",
    "minister",
    "school",
    "tide",
    "market",
    "night",
    "weather",
    "station",
    "repair",
    "report",
    "people",
    "local",
    "road",
]
RECENT = 30  # a reply answers one of the last RECENT comments of the discussion


def _body(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(12, 45))
    return " ".join(words).capitalize() + "."


def discussion(n: int, *, rng: random.Random, thread_share: float = 0.1) -> list[int | None]:
    """Parents (indexes into the list, None for a new thread) of ``n`` comments."""
    parents: list[int | None] = []
    for i in range(n):
        if i == 0 or rng.random() < thread_share:
            parents.append(None)
        else:
            parents.append(rng.randint(max(0, i - RECENT), i - 1))
    return parents


def one_thread(n: int, *, rng: random.Random) -> list[int | None]:
    """One thread of ``n`` comments, each replying to one of the most recent."""
    return [None] + [rng.randint(max(0, i - RECENT), i - 1) for i in range(1, n)]


def write(article: Article, parents: list[int | None], *, rng: random.Random) -> list[int]:
    """Insert the comments described by ``parents`` under ``article``; returns their ids.
    New threads take their tree_ids under the lock posting takes (``tree.lock_new_trees``)."""
    n = len(parents)
    numbers = tree.numbered(enumerate(parents))
    roots = [i for i, parent in enumerate(parents) if parent is None]
    began = timezone.now() - timedelta(days=1)
    step = timedelta(days=1) / max(n, 1)
    with transaction.atomic():
        start_tree = tree.lock_new_trees()
        tree_of = {root: start_tree + k for k, root in enumerate(roots)}
        start_pk = (Comment.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        rows = []
        for i, parent in enumerate(parents):
            up = rng.choice((0, 0, 0, 1, 2, 5))
            rows.append(
                Comment(
                    pk=start_pk + i,
                    article=article,
                    parent_id=None if parent is None else start_pk + parent,
                    guest_name=f"Reader {rng.randint(1, 5000)}",
                    guest_email="reader@example.org",
                    body=_body(rng),
                    created_at=began + i * step,
                    upvotes=up,
                    score=up,
                    tree_id=tree_of[numbers[i][0]],
                    lft=numbers[i][1],
                    rght=numbers[i][2],
                    level=numbers[i][3],
                )
            )
        Comment.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:  # explicit ids: move the sequence past them
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('comments_comment', 'id'), %s)",
                [start_pk + n],
            )
        Comment.objects.recount(article.pk)
        pagecache.article_changed(article.pk, article.slug)
    return [start_pk + i for i in range(n)]
