"""The queries comment pages need, in one place.

A page of threads costs a fixed number of queries whatever its size: the count and the page
of top-level comments in the chosen order, all their replies in tree order (one query), and
the reader's own votes. The tree is assembled in Python from that flat list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import VISIBLE, Comment, Status, Vote


class Sort(NamedTuple):
    label: str  # the tab readers choose it by
    order_by: tuple[str, ...]  # editor's picks first, then this order


SORTS = {
    "oldest": Sort(_("Oldest"), ("-is_featured", "created_at", "pk")),
    "newest": Sort(_("Newest"), ("-is_featured", "-created_at", "-pk")),
    "votes": Sort(_("Most voted"), ("-is_featured", "-score", "created_at", "pk")),
}
DEFAULT_SORT = "oldest"


def clean_sort(value: str | None) -> str:
    return value if value in SORTS else DEFAULT_SORT


@dataclass
class Node:
    comment: Comment
    children: list[Node] = field(default_factory=list)
    shown: bool = True  # False: a placeholder kept for its replies
    pending: bool = False  # the viewer's own comment awaiting moderation
    more: int = 0  # replies deeper than this page shows ("continue this thread")
    vote: int = 0  # the viewer's vote on it

    @property
    def has_more(self) -> bool:
        return self.more > 0


@dataclass
class ThreadPage:
    article: Article
    sort: str
    page: Page
    nodes: list[Node]


def listed_roots(article: Article, viewer=None):
    """Top-level comments a reader sees: visible ones, the reader's own pending ones, and
    deleted or removed ones that still have visible replies (as placeholders)."""
    visible_reply = Comment.objects.filter(tree_id=OuterRef("tree_id"), level__gt=0).visible()
    own = viewer.own_filter() if viewer is not None else Q(pk__in=[])
    return Comment.objects.filter(article=article, level=0).filter(
        VISIBLE | (own & Q(status=Status.PENDING)) | Exists(visible_reply)
    )


def _build(comments: list[Comment], viewer, max_level: int) -> list[Node]:
    """Nest a flat list in tree order, then drop what the viewer may not see: placeholders
    stay only while some reply below them is shown."""
    own = viewer.owns if viewer is not None else lambda comment: False
    roots: list[Node] = []
    stack: list[Node] = []
    for comment in comments:
        pending = comment.status == Status.PENDING and not comment.is_deleted and own(comment)
        node = Node(comment=comment, shown=comment.is_visible or pending, pending=pending)
        if comment.level >= max_level:
            node.more = getattr(comment, "visible_below", 0)
        while stack and stack[-1].comment.rght < comment.lft:
            stack.pop()
        if stack and stack[-1].comment.tree_id == comment.tree_id:
            stack[-1].children.append(node)
        else:
            stack.clear()
            roots.append(node)
        stack.append(node)
    return [node for node in roots if _prune(node)]


def _prune(node: Node) -> bool:
    node.children = [child for child in node.children if _prune(child)]
    return node.shown or bool(node.children) or node.has_more


def _attach_votes(nodes: list[Node], comments: list[Comment], viewer) -> None:
    if viewer is None or not viewer.key or not comments:
        return
    mine = viewer.own_filter("voter_key")
    votes = dict(
        Vote.objects.filter(mine, comment_id__in=[c.pk for c in comments]).values_list(
            "comment_id", "value"
        )
    )

    def walk(items: list[Node]) -> None:
        for node in items:
            node.vote = votes.get(node.comment.pk, 0)
            walk(node.children)

    walk(nodes)


def _subtrees(roots: list[Comment], *, levels: int) -> list[Comment]:
    """Each root followed by its replies up to ``levels`` below it, in tree order. Replies at
    the last level carry ``visible_below``: how many visible replies lie deeper (counted by
    the database in the same query, only for those rows)."""
    if not roots:
        return []
    below = (
        Comment.objects.filter(
            tree_id=OuterRef("tree_id"), lft__gt=OuterRef("lft"), rght__lt=OuterRef("rght")
        )
        .visible()
        .order_by()
        .values("tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    condition = Q()
    for root in roots:
        condition |= Q(
            tree_id=root.tree_id,
            lft__gt=root.lft,
            rght__lt=root.rght,
            level__lte=root.level + levels,
        )
    last_level = {root.level + levels for root in roots}
    replies = list(
        Comment.objects.filter(condition)
        .annotate(
            visible_below=Case(
                When(
                    level__in=last_level,
                    rght__gt=F("lft") + 1,
                    then=Coalesce(Subquery(below), Value(0)),
                ),
                default=Value(0),
            )
        )
        .select_related("user")
        .order_by("tree_id", "lft")
    )
    by_tree: dict[int, list[Comment]] = {}
    for reply in replies:
        by_tree.setdefault(reply.tree_id, []).append(reply)
    ordered = []
    for root in roots:
        ordered.append(root)
        ordered.extend(c for c in by_tree.get(root.tree_id, []) if root.lft < c.lft < root.rght)
    return ordered


def thread_page(article: Article, *, sort: str, page: str | int | None, viewer=None) -> ThreadPage:
    """One page of an article's threads in the given order, replies nested under them."""
    sort = clean_sort(sort)
    roots = listed_roots(article, viewer).select_related("user").order_by(*SORTS[sort].order_by)
    paginator = Paginator(roots, settings.COMMENTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    root_list = list(page_obj.object_list)
    comments = _subtrees(root_list, levels=settings.COMMENTS_MAX_DEPTH - 1)
    nodes = _build(comments, viewer, max_level=settings.COMMENTS_MAX_DEPTH - 1)
    _attach_votes(nodes, comments, viewer)
    return ThreadPage(article=article, sort=sort, page=page_obj, nodes=nodes)


def subthread(comment: Comment, viewer=None) -> list[Node]:
    """``comment`` and the replies below it, for "continue this thread"."""
    comments = _subtrees([comment], levels=settings.COMMENTS_MAX_DEPTH - 1)
    nodes = _build(comments, viewer, max_level=comment.level + settings.COMMENTS_MAX_DEPTH - 1)
    _attach_votes(nodes, comments, viewer)
    return nodes


def thread_anchor(comment: Comment) -> Comment | None:
    """The comment whose "continue this thread" page shows ``comment``; None when the
    article page itself shows it."""
    step = settings.COMMENTS_MAX_DEPTH - 1
    if comment.level < settings.COMMENTS_MAX_DEPTH:
        return None
    anchor_level = step * ((comment.level - 1) // step)
    return comment.get_ancestors().get(level=anchor_level)


def page_of(comment: Comment, *, sort: str = DEFAULT_SORT, viewer=None) -> int:
    """The page of the article's threads (in ``sort`` order) that holds ``comment``."""
    root_id = (
        comment.pk
        if comment.level == 0
        else Comment.objects.filter(tree_id=comment.tree_id, level=0).values_list("pk", flat=True)[
            0
        ]
    )
    ids = list(
        listed_roots(comment.article, viewer)
        .order_by(*SORTS[clean_sort(sort)].order_by)
        .values_list("pk", flat=True)
    )
    try:
        position = ids.index(root_id)
    except ValueError:
        return 1
    return position // settings.COMMENTS_PER_PAGE + 1


def article_author_user_ids(article: Article) -> set[int]:
    """Accounts of the article's authors (for the author badge), fetched once per article."""
    if not hasattr(article, "_author_user_ids"):
        article._author_user_ids = {a.user_id for a in article.authors.all() if a.user_id}
    return article._author_user_ids
