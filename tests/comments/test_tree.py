"""Labels with room between them (comments.tree): a reply renumbers nothing, a spot that runs
out of room is spread out again locally, and the tree stays a valid nested set throughout."""

from __future__ import annotations

import importlib
import random

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments import services, tree
from comments.domain import Commenter, new_browser_key
from comments.integrity import tree_problems
from comments.models import Comment
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

POSTER = Commenter(
    name="Poster", email="poster@example.org", browser_key=new_browser_key(), ip="192.0.2.9"
)


def write_thread(article, parents: list[int | None]) -> list[Comment]:
    """A thread written at once with ``tree.numbered`` labels (as imports and the bench do)."""
    numbers = tree.numbered(enumerate(parents))
    last = Comment.objects.order_by("-pk").values_list("pk", "tree_id").first() or (0, 0)
    start = last[0] + 1
    tree_id = (
        Comment.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0
    ) + 1
    rows = Comment.objects.bulk_create(
        Comment(
            pk=start + i, article=article, guest_name="Reader", body=f"Comment {i}",
            parent_id=None if parent is None else start + parent, tree_id=tree_id,
            lft=numbers[i][1], rght=numbers[i][2], level=numbers[i][3],
        )
        for i, parent in enumerate(parents)
    )  # fmt: skip
    with connection.cursor() as cursor:  # explicit ids: move the sequence past them
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('comments_comment', 'id'), %s)",
            [start + len(parents)],
        )
    return rows


def bushy(n: int, seed: int = 1) -> list[int | None]:
    """One thread, each comment replying to one of the 30 before it: deep and bushy."""
    rng = random.Random(seed)
    return [None] + [rng.randint(max(0, i - 30), i - 1) for i in range(1, n)]


def reply(parent: Comment, body: str = "A reply") -> Comment:
    """A reply placed and saved as ``post_comment`` does, without its other checks."""
    comment = Comment(article_id=parent.article_id, guest_name="Reader", body=body)
    tree.place_reply(comment, parent)
    comment.parent = parent
    comment.save()
    return comment


def rows_changed() -> tuple[int, int]:
    """(inserted, updated) rows of the comments table in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_inserted(%s::regclass),"
            " pg_stat_get_xact_tuples_updated(%s::regclass)",
            ["comments_comment", "comments_comment"],
        )
        return cursor.fetchone()


def post_reply(article, parent: Comment, body: str) -> tuple[int, int, int]:
    """Post a reply through the service; (queries, rows inserted, rows updated) it took."""
    inserted, updated = rows_changed()
    with CaptureQueriesContext(connection) as queries:
        services.post_comment(article=article, parent=parent, author=POSTER, body=body)
    after_inserted, after_updated = rows_changed()
    return len(queries), after_inserted - inserted, after_updated - updated


def test_a_reply_into_a_10000_comment_thread_costs_what_one_into_a_10_comment_thread_does(
    settings,
):
    settings.COMMENTS_RATE_LIMITS = ""
    small_article, big_article = make_article(), make_article()
    small = write_thread(small_article, bushy(10))
    big = write_thread(big_article, bushy(10_000))
    post_reply(small_article, small[1], "A first reply, to warm the caches.")
    # Into the middle of the big thread: django-mptt would renumber about half of it.
    small_cost = post_reply(small_article, small[5], "Into the small thread.")
    big_cost = post_reply(big_article, big[5_000], "Into the big thread.")
    assert big_cost == small_cost
    _queries, inserted, updated = big_cost
    assert (inserted, updated) == (1, 0)  # the reply itself; no other comment touched
    assert tree_problems(big_article.pk) == []


def test_a_new_thread_spans_the_whole_label_range():
    article = make_article()
    root = services.post_comment(article=article, parent=None, author=POSTER, body="First")
    assert (root.lft, root.rght, root.level) == (tree.ROOT_LEFT, tree.ROOT_RIGHT, 0)
    first = services.post_comment(article=article, parent=root, author=POSTER, body="Second")
    assert root.lft < first.lft < first.rght < root.rght
    assert first.level == 1 and first.tree_id == root.tree_id


def test_replies_keep_posting_order_and_deep_chains_stay_valid():
    article = make_article()
    [root] = write_thread(article, [None])
    expected: dict[int, list[int]] = {root.pk: []}
    parent = root
    for depth in range(150):  # far deeper than halving 2**62 allows: spots run out of room
        comment = reply(parent, f"level {depth + 1}")
        expected[parent.pk].append(comment.pk)
        expected[comment.pk] = []
        parent = comment
    for _ in range(150):  # and as many replies to one comment, each after the last
        comment = reply(root)
        expected[root.pk].append(comment.pk)
        expected[comment.pk] = []
    assert tree_problems(article.pk) == []
    assert _children_in_thread_order(root.tree_id) == expected


def _children_in_thread_order(tree_id: int) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for pk, parent_id in (
        Comment.objects.filter(tree_id=tree_id).order_by("lft").values_list("pk", "parent_id")
    ):
        children[pk] = []
        if parent_id is not None:
            children[parent_id].append(pk)
    return children


def test_running_out_of_room_spreads_out_only_a_few_labels(monkeypatch):
    # A small label range makes spots run out of room often; the labels rewritten stay a
    # small multiple of the replies (amortised O(log n)), never the whole thread each time.
    monkeypatch.setattr(tree, "ROOT_RIGHT", 2**24)
    article = make_article()
    comments = write_thread(article, bushy(400))
    rng = random.Random(5)
    moved = 0
    replies = 600
    for _ in range(replies):
        parent = comments[rng.randrange(len(comments) - 30, len(comments))]
        parent.refresh_from_db()
        comment = Comment(article=article, guest_name="Reader", body="x")
        moved += tree.place_reply(comment, parent)
        comment.parent = parent
        comment.save()
        comments.append(comment)
    assert tree_problems(article.pk) == []
    assert 0 < moved < replies * 20  # the whole thread (1,000 comments) a time would be far more


def test_a_thread_numbered_without_gaps_gets_room_on_its_first_reply():
    # Threads numbered 1..2n (django-mptt's own inserts, older releases) still take replies.
    article = make_article()
    root = Comment.objects.create(article=article, guest_name="A", body="root")
    child = Comment.objects.create(article=article, guest_name="B", body="child", parent=root)
    grandchild = Comment.objects.create(article=article, guest_name="C", body="g", parent=child)
    root.refresh_from_db()
    assert (root.lft, root.rght) == (1, 6)
    child.refresh_from_db()
    late = services.post_comment(article=article, parent=child, author=POSTER, body="Late")
    root.refresh_from_db()
    assert root.rght == tree.ROOT_RIGHT
    assert tree_problems(article.pk) == []
    order = list(
        Comment.objects.filter(tree_id=root.tree_id).order_by("lft").values_list("pk", flat=True)
    )
    assert order == [root.pk, child.pk, grandchild.pk, late.pk]


def mptt_thread(article, parents: list[int | None]) -> list[Comment]:
    """A thread saved comment by comment through django-mptt: numbered 1..2n, no gaps."""
    rows: list[Comment] = []
    for i, parent in enumerate(parents):
        rows.append(
            Comment.objects.create(
                article=article, guest_name="Reader", body=f"Comment {i}",
                parent=None if parent is None else rows[parent],
            )
        )  # fmt: skip
    return rows


def thread_order(tree_id: int) -> list[tuple[int, int | None, int]]:
    rows = Comment.objects.filter(tree_id=tree_id).order_by("lft")
    return list(rows.values_list("pk", "parent_id", "level"))


def test_spreading_out_a_thread_numbered_without_gaps_keeps_its_order_and_makes_room(settings):
    settings.COMMENTS_RATE_LIMITS = ""
    article = make_article()
    root, *_ = mptt_thread(article, bushy(60, seed=3))
    root.refresh_from_db()
    assert root.rght == 120
    before = thread_order(root.tree_id)

    assert tree.spread_out(root.tree_id) == 60
    assert thread_order(root.tree_id) == before
    assert tree_problems(article.pk) == []
    root.refresh_from_db()
    assert (root.lft, root.rght) == (tree.ROOT_LEFT, tree.ROOT_RIGHT)
    # The next reply, anywhere, is one INSERT: nothing left to make room for.
    _queries, inserted, updated = post_reply(article, Comment.objects.get(pk=before[30][0]), "Hi")
    assert (inserted, updated) == (1, 0)


def test_the_migration_spreads_out_only_threads_numbered_without_gaps():
    migration = importlib.import_module("comments.migrations.0009_spread_out_existing_threads")
    article = make_article()
    old = mptt_thread(article, bushy(25, seed=4))
    new = write_thread(article, bushy(25, seed=5))
    old_order, new_order = thread_order(old[0].tree_id), thread_order(new[0].tree_id)
    new_labels = sorted(Comment.objects.filter(tree_id=new[0].tree_id).values_list("pk", "lft"))

    with connection.schema_editor() as schema_editor:
        migration.spread_out_existing_threads(apps, schema_editor)

    assert thread_order(old[0].tree_id) == old_order
    assert Comment.objects.get(pk=old[0].pk).rght == tree.ROOT_RIGHT
    unchanged = Comment.objects.filter(tree_id=new[0].tree_id).values_list("pk", "lft")
    assert sorted(unchanged) == new_labels
    assert thread_order(new[0].tree_id) == new_order
    assert tree_problems(article.pk) == []


def test_django_mptt_inserts_and_deletes_still_work_in_a_spread_out_thread():
    article = make_article()
    rows = write_thread(article, bushy(40))
    extra = Comment.objects.create(article=article, guest_name="M", body="mptt", parent=rows[3])
    assert tree_problems(article.pk) == []
    rows[10].refresh_from_db()
    rows[10].delete()  # the comment and its replies, the gap closed by django-mptt
    assert tree_problems(article.pk) == []
    assert reply(Comment.objects.get(pk=extra.pk)).level == extra.level + 1
    assert tree_problems(article.pk) == []


def test_descendant_counts_and_leaves_do_not_trust_label_distances():
    article = make_article()
    rows = write_thread(article, [None, 0, 1, 0])
    for row in rows:
        row.refresh_from_db()
    assert rows[0].rght - rows[0].lft > 7  # room between labels
    assert [row.get_descendant_count() for row in rows] == [3, 1, 0, 0]
    assert [row.is_leaf_node() for row in rows] == [False, False, True, True]


def test_deleting_a_reply_without_replies_removes_its_row_and_touches_no_other(settings):
    article = make_article()
    root = services.post_comment(article=article, parent=None, author=POSTER, body="Root")
    services.post_comment(article=article, parent=root, author=POSTER, body="Before")
    leaf = services.post_comment(article=article, parent=root, author=POSTER, body="Leaf")
    services.post_comment(article=article, parent=root, author=POSTER, body="After")
    labels = dict(Comment.objects.exclude(pk=leaf.pk).values_list("pk", "rght"))
    assert services.delete_comment(comment=leaf, actor=POSTER) is True
    assert not Comment.objects.filter(pk=leaf.pk).exists()
    assert dict(Comment.objects.values_list("pk", "rght")) == labels
    assert tree_problems(article.pk) == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60))
def test_any_order_of_replies_in_a_cramped_range_keeps_a_valid_thread(monkeypatch, picks):
    # 2**9 labels for up to 61 comments: nearly every reply has to spread labels out.
    monkeypatch.setattr(tree, "ROOT_RIGHT", 2**9)
    article = make_article()
    root = Comment(article=article, guest_name="Root", body="root")
    tree.start_thread(root)
    root.save()
    comments = [root]
    expected: dict[int, list[int]] = {root.pk: []}
    for pick in picks:
        parent = comments[pick % len(comments)]
        parent.refresh_from_db()
        comment = reply(parent)
        expected[parent.pk].append(comment.pk)
        expected[comment.pk] = []
        comments.append(comment)
    assert tree_problems(article.pk) == []
    assert _children_in_thread_order(root.tree_id) == expected
