"""Discussions shaped like real ones, written fast: about a tenth of the comments start a
thread, the rest reply to one of the most recent comments, so threads grow deep and bushy.

The nested-set fields django-mptt keeps (``tree_id``, ``lft``, ``rght``, ``level``) are
computed here in Python and the rows written with ``bulk_create``: 100,000 comments take
seconds instead of the hours one-by-one inserts would. ``comments.integrity`` checks them.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from articles.models import Article
from comments.models import Comment

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
    """Insert the comments described by ``parents`` under ``article``; returns their ids."""
    n = len(parents)
    children: list[list[int]] = [[] for _ in range(n)]
    for i, parent in enumerate(parents):
        if parent is not None:
            children[parent].append(i)
    start_pk = (Comment.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    start_tree = (Comment.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    lft, rght, level, tree = [0] * n, [0] * n, [0] * n, [0] * n
    tree_id = start_tree - 1
    for root in (i for i, p in enumerate(parents) if p is None):
        tree_id += 1
        counter = 1
        stack = [(root, 0, False)]
        while stack:  # depth-first, children in posting order
            node, depth, done = stack.pop()
            if done:
                rght[node] = counter
                counter += 1
                continue
            lft[node], level[node], tree[node] = counter, depth, tree_id
            counter += 1
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in reversed(children[node]))
    began = timezone.now() - timedelta(days=1)
    step = timedelta(days=1) / max(n, 1)
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
                tree_id=tree[i],
                lft=lft[i],
                rght=rght[i],
                level=level[i],
            )
        )
    Comment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:  # explicit ids: move the sequence past them
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('comments_comment', 'id'), %s)",
            [start_pk + n],
        )
    Comment.objects.recount(article.pk)
    return [start_pk + i for i in range(n)]
