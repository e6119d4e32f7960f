"""Where a comment goes in its thread: nested-set labels with room between them.

django-mptt numbers a tree 1..2n without gaps, so inserting a reply adds 2 to the labels of
every comment after it and to the ``rght`` of every ancestor. In a busy 10,000-comment thread
that is thousands of rows rewritten (each in every index) per reply, all under the thread's
lock. Here a thread's labels are spread over a 62-bit range instead: the root spans
``1..ROOT_RIGHT`` and a reply takes two free labels between its parent's last reply and its
parent's ``rght``, taking half the room there for replies of its own. A reply is then one
INSERT and no UPDATE.

When a spot runs out of room (after some 40 to 60 replies in one place), the labels of the
smallest aligned block around it that is sparse enough are spread out evenly again: the
list-labelling scheme of Bender, Cole, Demaine, Farach-Colton and Zito ("Two simplified
algorithms for maintaining order in a list", 2002), which rewrites O(log n) labels per insert,
amortised. Labels keep their order, so every nested-set query (descendants, ancestors, thread
order) and django-mptt's own operations keep working; only ``rght - lft`` no longer counts
descendants (``Comment.get_descendant_count`` counts them).

The locks live here too: every function that changes a thread's labels expects the caller
to hold that thread's lock (``lock_thread``); a new thread takes the new-thread lock
(``lock_new_trees``, which ``start_thread`` takes itself) while it picks its ``tree_id``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import Max

from comments.models import Comment

# Every new thread (a top-level comment, an import, benchmark data) takes this advisory lock
# while it picks its tree_id.
NEW_TREE_LOCK = 0x6E657773  # "news"
ROOT_LEFT = 1  # a root's lft never changes: the thread lock finds the root by it
ROOT_RIGHT = 2**62
# A block of 2**i labels is spread out again only if it would be at most DENSITY**-i full:
# small blocks may be nearly full, large ones must be sparse (1 < DENSITY < 2).
DENSITY = 1.5


def lock_thread(tree_id: int) -> None:
    """Serialise writes to one thread, until the transaction ends, by locking its root row:
    a reply may spread out its neighbours' labels. (A root's tree_id never changes: threads
    are never moved.)"""
    # A root always has lft 1: the (tree_id, lft) index finds it without reading the thread.
    list(
        Comment.objects.select_for_update()
        .filter(tree_id=tree_id, lft=ROOT_LEFT)
        .order_by()
        .values_list("pk")
    )


def lock_new_trees() -> int:
    """Serialise new threads until the transaction ends, and return the first free tree_id:
    each new thread takes MAX(tree_id) + 1, which races without the lock. A caller starting
    several threads numbers them on from there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NEW_TREE_LOCK])
    return (Comment.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1


def start_thread(comment: Comment) -> None:
    """Give a new top-level comment its own tree, spanning the whole label range; takes the
    new-thread lock (``lock_new_trees``) until the transaction ends."""
    comment.tree_id = lock_new_trees()
    comment.lft, comment.rght, comment.level = ROOT_LEFT, ROOT_RIGHT, 0


def place_reply(comment: Comment, parent: Comment) -> int:
    """Give ``comment`` labels as the last reply to ``parent`` (read under the thread lock),
    spreading out its neighbours' labels first when there is no room. Returns how many other
    comments got new labels (0 for all but a few replies)."""
    comment.tree_id, comment.level = parent.tree_id, parent.level + 1
    after = _last_label_inside(parent)
    moved = 0
    if parent.rght - after < 3:
        after, moved = _make_room(parent, after)
    comment.lft = after + 1
    comment.rght = comment.lft + (parent.rght - comment.lft) // 2
    return moved


def _last_label_inside(parent: Comment) -> int:
    """The label just before ``parent.rght``: its last reply's ``rght``, or its own ``lft``.
    Any label strictly inside a node belongs to one of its descendants, and the greatest is
    the last reply's: one probe of the (tree_id, rght) index."""
    last = Comment.objects.filter(
        tree_id=parent.tree_id, rght__gt=parent.lft, rght__lt=parent.rght
    ).aggregate(m=Max("rght"))["m"]
    return parent.lft if last is None else last


def _make_room(parent: Comment, after: int) -> tuple[int, int]:
    """Spread out the labels of the smallest sparse-enough aligned block around ``after``,
    leaving room for two labels just after it. Returns the label the new comment goes after
    (``after``'s new value) and how many comments were relabelled. Updates ``parent``."""
    tree_id = parent.tree_id
    top = _widen_root(tree_id)
    if parent.level == 0:
        parent.rght = top
    x = after
    for bits in range(2, 64):
        low = max((x >> bits) << bits, ROOT_LEFT + 1)
        high = min(((x >> bits) + 1) << bits, top)  # exclusive: the root's rght stays put
        labels = _count_labels(tree_id, low, high)
        whole = low == ROOT_LEFT + 1 and high == top  # no larger block left: take it
        if whole or (labels + 2) * DENSITY**bits <= high - low:
            break
    rows = _rows_with_labels_in(tree_id, low, high)
    # Every label in the block, in order, with a slot for the new comment's two after ``x``.
    sequence: list[tuple[int, int, int]] = []  # (label, comment id, 0 for lft / 1 for rght)
    for pk, lft, rght in rows:
        if low <= lft < high:
            sequence.append((lft, pk, 0))
        if low <= rght < high:
            sequence.append((rght, pk, 1))
    sequence.sort()
    # Labels up to ``x`` keep their places in front of the new comment's; ``x`` itself may lie
    # before the block (the root's lft).
    slot = sum(1 for label, _, _ in sequence if label <= x)
    step = (high - low) // (len(sequence) + 3)
    old = {pk: (lft, rght) for pk, lft, rght in rows}
    labels_of = {pk: [lft, rght] for pk, lft, rght in rows}
    for index, (_, pk, side) in enumerate(sequence):
        labels_of[pk][side] = low + step * (index + 1 + (2 if index >= slot else 0))
    new_after = low + step * slot
    changed = {pk: pair for pk, pair in labels_of.items() if tuple(pair) != old[pk]}
    _write_labels(changed)
    if parent.pk in labels_of:
        parent.lft, parent.rght = labels_of[parent.pk]
    return new_after, len(changed)


def _widen_root(tree_id: int) -> int:
    """The root's ``rght``, first raised to ``ROOT_RIGHT`` for a thread numbered without gaps
    (by django-mptt, an import or an older release): the room beyond its last label is free."""
    root = Comment.objects.filter(tree_id=tree_id, lft=ROOT_LEFT).values_list("pk", "rght")
    pk, rght = root.get()
    if rght < ROOT_RIGHT:
        Comment.objects.filter(pk=pk).update(rght=ROOT_RIGHT)
        rght = ROOT_RIGHT
    return rght


def _count_labels(tree_id: int, low: int, high: int) -> int:
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {table} WHERE tree_id = %s AND lft >= %s AND lft < %s)"
            f" + (SELECT count(*) FROM {table} WHERE tree_id = %s AND rght >= %s AND rght < %s)",
            [tree_id, low, high, tree_id, low, high],
        )
        return cursor.fetchone()[0]


def _rows_with_labels_in(tree_id: int, low: int, high: int) -> list[tuple[int, int, int]]:
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, lft, rght FROM {table} WHERE tree_id = %s"
            " AND ((lft >= %s AND lft < %s) OR (rght >= %s AND rght < %s))",
            [tree_id, low, high, low, high],
        )
        return cursor.fetchall()


def _write_labels(labels: dict[int, list[int]]) -> None:
    if not labels:
        return
    ids = list(labels)
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET lft = v.lft, rght = v.rght"
            " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, lft, rght)"
            " WHERE c.id = v.id",
            [ids, [labels[pk][0] for pk in ids], [labels[pk][1] for pk in ids]],
        )


def numbered(parents: Iterable[tuple[int, int | None]]) -> dict[int, tuple[int, int, int, int]]:
    """Labels for whole threads written at once (imports, benchmark data): ``parents`` are
    (id, parent id or None) pairs, parents before their children and replies in posting
    order. Returns (root id, lft, rght, level) for every id, each thread's labels spread
    evenly over the root's range as if freshly spread out."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents:
        children.setdefault(parent, []).append(pk)
    numbers: dict[int, tuple[int, int, int, int]] = {}
    for root in children.get(None, []):
        order: list[tuple[int, int, int]] = []  # (id, level, 0 opening / 1 closing)
        stack: list[tuple[int, int, int]] = [(root, 0, 0)]
        while stack:  # depth-first, replies in posting order
            pk, level, closing = stack.pop()
            order.append((pk, level, closing))
            if not closing:
                stack.append((pk, level, 1))
                stack.extend((child, level + 1, 0) for child in reversed(children.get(pk, [])))
        step = (ROOT_RIGHT - ROOT_LEFT) // (len(order) - 1)
        lefts: dict[int, int] = {}
        for index, (pk, level, closing) in enumerate(order):
            label = ROOT_RIGHT if index == len(order) - 1 else ROOT_LEFT + index * step
            if closing:
                numbers[pk] = (root, lefts[pk], label, level)
            else:
                lefts[pk] = label
    return numbers


def spread_out(tree_id: int) -> int:
    """Relabel a whole thread as ``numbered`` writes it, in its present order: for a thread
    numbered without gaps (django-mptt's own inserts, an older release), whose next reply
    would otherwise make room by relabelling most of it. Returns how many rows it wrote."""
    rows = Comment.objects.filter(tree_id=tree_id).order_by("lft")
    numbers = numbered(rows.values_list("pk", "parent_id"))
    _write_labels({pk: [lft, rght] for pk, (_root, lft, rght, _level) in numbers.items()})
    return len(numbers)


def remove_leaf(comment: Comment) -> None:
    """Delete a comment without replies and leave its labels free: django-mptt's ``delete``
    would close the gap by shifting every later label of the thread."""
    models.Model.delete(comment)
