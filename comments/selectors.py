"""The queries comment pages need, in one place.

A page of threads costs a fixed number of queries and shows a bounded number of comments
whatever the discussion's size: the count and the page of top-level comments in the chosen
order, then one query per level of replies that takes only the first few replies under each
comment shown (a window function numbers them), and the reader's own votes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import VISIBLE, Comment, ModerationEvent, Status, Vote
from comments.notifications.models import Subscription
from newsroom import signed_in
from newsroom.prepared import Prepared


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
    removed: bool = False  # the viewer's own comment a moderator removed or rejected
    more: int = 0  # replies deeper than this page shows ("continue this thread")
    hidden: int = 0  # direct replies left out of the page's budget ("N more replies")
    vote: int = 0  # the viewer's vote on it

    @property
    def has_more(self) -> bool:
        return self.more > 0

    @property
    def more_is_bounded(self) -> bool:
        """True when ``more`` stopped at the most the page counts ("100+ more replies")."""
        return self.more >= MORE_COUNTED


@dataclass
class ThreadPage:
    article: Article
    sort: str
    page: Page
    nodes: list[Node]

    @property
    def has_next(self) -> bool:
        return self.page.has_next()


@dataclass
class RepliesPage:
    anchor: Node  # its children: this page of its replies
    page: Page

    @property
    def remaining(self) -> int:
        """Replies on the pages after this one."""
        return self.page.paginator.count - self.page.end_index()


# A reader's own comments they see besides visible ones: awaiting moderation, and removed or
# rejected (with the statement of reasons and the appeal link; comments.moderation.appeals).
OWN_SHOWN = (Status.PENDING, Status.REMOVED, Status.REJECTED)


def published_comment(pk: int, *, visible: bool = False) -> Comment | None:
    """The comment readers can open by its number: one on a published article and, with
    ``visible``, shown in full itself (approved, not deleted); None for any other."""
    try:
        comment = Comment.objects.select_related("article", "user").get(pk=pk)
    except Comment.DoesNotExist:
        return None
    if not comment.article.is_published() or (visible and not comment.is_visible):
        return None
    return comment


def listed_roots(article: Article, viewer=None):
    """Top-level comments a reader sees: visible ones, the reader's own pending, removed or
    rejected ones, and deleted or removed ones that still have visible replies (as
    placeholders)."""
    # A range on lft (not level > 0) keeps this a probe of the (tree_id, lft) index for each
    # hidden root, rather than a hash of every visible reply on the site.
    visible_reply = Comment.objects.filter(tree_id=OuterRef("tree_id"), lft__gt=OuterRef("lft"))
    visible_reply = visible_reply.visible()
    own = viewer.own_filter() if viewer is not None else Q(pk__in=[])
    return Comment.objects.filter(article=article, level=0).filter(
        VISIBLE | (own & Q(status__in=OWN_SHOWN)) | Exists(visible_reply)
    )


def _listed_q(viewer) -> Q:
    """Replies a reader sees: visible ones, the reader's own pending, removed or rejected
    ones, and deleted or removed ones kept as placeholders because a visible reply lies
    below them."""
    visible_below = Comment.objects.filter(
        tree_id=OuterRef("tree_id"), lft__gt=OuterRef("lft"), rght__lt=OuterRef("rght")
    ).visible()
    own = viewer.own_filter() if viewer is not None else Q(pk__in=[])
    return VISIBLE | (own & Q(status__in=OWN_SHOWN)) | Exists(visible_below)


# "Continue this thread (N more replies)" counts at most this many: counting every reply
# below a comment near the top of a 100,000-comment thread would cost as much as the thread.
MORE_COUNTED = 100


class _CountOf(Subquery):
    """The number of rows of a (limited) subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _visible_below() -> _CountOf:
    """How many visible comments lie below a row, up to ``MORE_COUNTED``: a range scan of the
    (tree_id, lft) index that stops there."""
    return _CountOf(
        Comment.objects.filter(
            tree_id=OuterRef("tree_id"), lft__gt=OuterRef("lft"), lft__lt=OuterRef("rght")
        )
        .visible()
        .order_by()
        .values("pk")[:MORE_COUNTED]
    )


def _node(comment: Comment, own) -> Node:
    mine = not comment.is_deleted and comment.status in OWN_SHOWN and own(comment)
    pending = mine and comment.status == Status.PENDING
    removed = mine and comment.status != Status.PENDING
    return Node(comment=comment, shown=comment.is_visible or mine, pending=pending, removed=removed)


def _grow(parents: list[Node], *, levels: int, viewer, own) -> list[Comment]:
    """Hang the first ``COMMENTS_REPLIES_SHOWN`` replies under each of ``parents``, then
    under those, ``levels`` levels down: one query per level, each bounded by the budget
    whatever the size of the discussion. A node records how many of its replies are left out
    (``hidden``); one on the last level records how many comments lie below it (``more``).
    Returns the comments fetched."""
    shown = settings.COMMENTS_REPLIES_SHOWN
    fetched: list[Comment] = []
    for depth in range(levels):
        if not parents:
            break
        last = depth == levels - 1
        by_pk = {node.comment.pk: node for node in parents}
        replies = (
            Comment.objects.filter(parent_id__in=list(by_pk))
            .filter(_listed_q(viewer))
            .annotate(
                position=Window(RowNumber(), partition_by=F("parent_id"), order_by=F("lft").asc()),
                siblings=Window(Count("pk"), partition_by=F("parent_id")),
            )
            .filter(position__lte=shown)
            .select_related("user")
            .order_by("parent_id", "lft")
        )
        if last:
            replies = replies.annotate(
                visible_below=Case(
                    When(rght__gt=F("lft") + 1, then=_visible_below()), default=Value(0)
                )
            )
        children: list[Node] = []
        for comment in replies:
            parent = by_pk[comment.parent_id]
            node = _node(comment, own)
            if last:
                node.more = comment.visible_below
            parent.children.append(node)
            parent.hidden = comment.siblings - len(parent.children)
            children.append(node)
            fetched.append(comment)
        parents = children
    return fetched


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


def thread_page(article: Article, *, sort: str, page: str | int | None, viewer=None) -> ThreadPage:
    """One page of an article's threads in the given order, and under each thread the budget
    of replies (``COMMENTS_REPLIES_SHOWN`` per comment, ``COMMENTS_MAX_DEPTH`` levels in all):
    a fixed number of queries and a bounded number of comments whatever the discussion's size.
    """
    sort = clean_sort(sort)
    roots = listed_roots(article, viewer).select_related("user").order_by(*SORTS[sort].order_by)
    paginator = Paginator(roots, settings.COMMENTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    root_list = list(page_obj.object_list)
    own = viewer.owns if viewer is not None else lambda comment: False
    nodes = [_node(root, own) for root in root_list]
    replies = _grow(nodes, levels=settings.COMMENTS_MAX_DEPTH - 1, viewer=viewer, own=own)
    _attach_votes(nodes, root_list + replies, viewer)
    return ThreadPage(article=article, sort=sort, page=page_obj, nodes=nodes)


def replies_page(anchor: Comment, *, page: str | int | None, viewer=None) -> RepliesPage:
    """The replies to ``anchor``, a page of ``COMMENTS_PER_PAGE`` at a time, each with its own
    budget of replies below it: what "N more replies" and "Continue this thread" open."""
    children = (
        Comment.objects.filter(parent=anchor)
        .filter(_listed_q(viewer))
        .select_related("user")
        .order_by("lft")
    )
    paginator = Paginator(children, settings.COMMENTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    child_list = list(page_obj.object_list)
    own = viewer.owns if viewer is not None else lambda comment: False
    nodes = [_node(child, own) for child in child_list]
    replies = _grow(nodes, levels=settings.COMMENTS_MAX_DEPTH - 2, viewer=viewer, own=own)
    _attach_votes(nodes, child_list + replies, viewer)
    anchor_node = _node(anchor, own)
    anchor_node.children = nodes
    return RepliesPage(anchor=anchor_node, page=page_obj)


@dataclass
class Location:
    """Where a comment is shown: the article page (``anchor`` None) or the replies page of
    ``anchor``, at page ``page`` of its threads or replies."""

    anchor: Comment | None
    page: int


def locate(comment: Comment, *, sort: str = DEFAULT_SORT, viewer=None) -> Location:
    """The page that shows ``comment`` within the budget: walk down from its thread's root;
    where a step falls outside the budget (too deep, or past the replies shown under a
    comment), the replies page of the comment above it takes over."""
    chain = [*comment.get_ancestors(), comment]
    listed = _listed_q(viewer)
    positions = dict(
        Comment.objects.filter(parent_id__in=[c.pk for c in chain[:-1]])
        .filter(listed | Q(pk__in=[c.pk for c in chain]))
        .annotate(
            position=Window(RowNumber(), partition_by=F("parent_id"), order_by=F("lft").asc())
        )
        .values_list("pk", "position")
    )
    anchor: Comment | None = None
    page = page_of(chain[0], sort=sort, viewer=viewer)
    top = 0  # index in chain of the page's top comment (a root, or the anchor)
    for index in range(1, len(chain)):
        position = positions.get(chain[index].pk, 1)
        relative = index - top
        if relative >= settings.COMMENTS_MAX_DEPTH or position > settings.COMMENTS_REPLIES_SHOWN:
            # The anchor's own replies are paginated there, not capped.
            anchor = chain[index - 1]
            top = index - 1
            page = (position - 1) // settings.COMMENTS_PER_PAGE + 1
    return Location(anchor=anchor, page=page)


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


# --- The reader layer and live updates (comments/reader.py) -----------------------------------

# Ids in the poll's answer, and new comments fetched at once: more than anyone reads at once.
LATEST_SHOWN = 50
_PAGE_NUMBER = re.compile(r"[0-9]{1,6}")


def canonical_sort(value: str | None) -> str:
    """The ``comments`` parameter as the shared copy is keyed: "" for the default order."""
    sort = clean_sort(value)
    return "" if sort == DEFAULT_SORT else sort


def canonical_page(value: str | None) -> str:
    """The ``cpage`` parameter as the shared copy is keyed: "" for the first page or anything
    that is not a page number (the page shows the first page then, as ``Paginator.get_page``)."""
    if not value or not _PAGE_NUMBER.fullmatch(value) or int(value) <= 1:
        return ""
    return str(int(value))


def latest_visible_ids(article: Article, limit: int = LATEST_SHOWN) -> list[int]:
    """The newest visible comments' ids, newest first (a scan of comment_visible_latest_idx)."""
    return list(
        Comment.objects.filter(article=article)
        .visible()
        .order_by("-pk")
        .values_list("pk", flat=True)[:limit]
    )


def visible_since(article: Article, since: int, viewer=None) -> list[Node]:
    """Visible comments posted after comment ``since``, oldest first, at most
    ``LATEST_SHOWN``: what "N new comments — show" inserts."""
    comments = list(
        Comment.objects.filter(article=article, pk__gt=since)
        .visible()
        .select_related("user")
        .order_by("pk")[:LATEST_SHOWN]
    )
    nodes = [Node(comment=comment) for comment in comments]
    _attach_votes(nodes, comments, viewer)
    return nodes


@dataclass
class ReaderLayer:
    """What of an article page is one reader's own, for the comments the page shows."""

    following: bool  # a signed-in reader follows the article's discussion
    votes: dict[int, int]  # comment id → the reader's vote
    # The reader's comments among those shown (their actions differ) → whether they may
    # still edit it.
    own: dict[int, bool]
    # The reader's comments only they see (not in the shared copy): awaiting moderation, or
    # removed or rejected with the way to appeal. Fetched and rendered by the caller.
    pending_ids: list[int]


def _literal(*values: str) -> str:
    """SQL for the code's own constants (statuses, actions) written into a statement: a
    parameter would be converted for the database on every call."""
    for value in values:
        if not re.fullmatch(r"[a-z_]+", value):
            raise ValueError(f"Not a constant: {value!r}")
    quoted = [f"'{value}'" for value in values]
    return quoted[0] if len(quoted) == 1 else f"ARRAY[{', '.join(quoted)}]::text[]"


def _reader_layer_sql(reader: str) -> str:
    """The layer's one query, for an account (``"user"``: its id), for the account of a
    signed-in session (``"session"``: the session's key, newsroom/sessions.py), or for a
    guest's hashed browser key (``"guest"``) (the rows ``Commenter.own_filter`` picks), in
    the parameters of ``reader_layer_statement``. Written out and prepared once per
    connection: compiling it with the ORM, and planning it, on every request cost many
    times what the database took to answer."""
    from comments.services import HELD_ACTIONS

    article = Article._meta.db_table
    comment = Comment._meta.db_table
    vote = Vote._meta.db_table
    subscription = Subscription._meta.db_table
    event = ModerationEvent._meta.db_table
    session, session_row, no_session = "", "", ""
    if reader == "guest":
        own_comment = "c.user_id IS NULL AND c.author_key = $4"
        own_vote = "v.user_id IS NULL AND v.voter_key = $4"
        following = "FALSE"
    else:
        account = "$4"
        if reader == "session":
            # The live session by that key and its account, read here for
            # signed_in.request_user_with (a row of their own, their columns first, NULL in
            # the others'); the layer is that account's, none (NULL) matching no row.
            session = f"r AS ({signed_in.session_sql('$4', '$2')}), "
            session_row = (
                "SELECT r.*, NULL::text, NULL::bigint, NULL::int, NULL::text, NULL::boolean,"
                " NULL::timestamptz, NULL::boolean, NULL::boolean FROM r UNION ALL"
            )
            no_session = "NULL, " * signed_in.SESSION_COLUMNS
            account = "(SELECT user_id FROM r)"
        own_comment, own_vote = f"c.user_id = {account}", f"v.user_id = {account}"
        following = (
            f"EXISTS (SELECT 1 FROM {subscription} s"
            f" WHERE s.article_id = a.id AND s.user_id = {account})"
        )
    published = _literal(Article.Status.PUBLISHED.value)
    pending = _literal(Status.PENDING.value)
    only_theirs = _literal(*(status.value for status in OWN_SHOWN))
    held = _literal(*(action.value for action in HELD_ACTIONS))
    # One row for the article (none when it is not published), one per vote on a comment
    # shown, one per own comment that is shown or that only its author sees (and before
    # them, for a session's key, one for the session).
    return f"""
        WITH {session}a AS (
            SELECT id FROM {article} WHERE id = $1 AND status = {published}
                AND published_at <= $2
        ), shown AS (
            SELECT unnest(string_to_array($3, ',')::bigint[]) AS id
        ), own AS MATERIALIZED (
            -- Planned apart, through the reader's-comments index: a plan made for any
            -- reader can otherwise walk the article's comments for a guest's key.
            SELECT c.id, c.status, c.is_deleted, c.created_at FROM {comment} c
            WHERE {own_comment} AND c.article_id = $1
        )
        {session_row}
        SELECT {no_session}'a', a.id, ({following})::int, NULL::text, NULL::boolean,
            NULL::timestamptz, NULL::boolean, NULL::boolean
        FROM a
        UNION ALL
        SELECT {no_session}'v', v.comment_id, v.value::int, NULL, NULL, NULL, NULL, NULL
        FROM shown
        JOIN {vote} v ON v.comment_id = shown.id AND {own_vote}
        JOIN {comment} c ON c.id = v.comment_id
        JOIN a ON c.article_id = a.id
        UNION ALL
        (
            SELECT {no_session}'c', c.id, NULL, c.status, c.is_deleted, c.created_at,
                c.status = {pending} AND EXISTS (
                    SELECT 1 FROM {event} e
                    WHERE e.comment_id = c.id AND e.action = ANY({held})
                ),
                c.id IN (SELECT id FROM shown)
            FROM own c, a
            WHERE c.id IN (SELECT id FROM shown)
                OR (c.status = ANY({only_theirs}) AND NOT c.is_deleted)
            ORDER BY c.id
            LIMIT $5
        )
    """


# The parameters' types by reader: article, now, shown (comment ids, by commas), the reader
# (account id, session key or hashed browser key), the most rows of own comments.
_READER_KEY_TYPES = {"user": "bigint", "session": "text", "guest": "text"}


@functools.cache
def _reader_layer_prepared(reader: str) -> Prepared:
    return Prepared(
        f"newsroom_reader_layer_{reader}",
        f"bigint, timestamptz, text, {_READER_KEY_TYPES[reader]}, int",
        _reader_layer_sql(reader),
    )


# Comment ids a layer request may name: a page and a few "load more"s.
MAX_SHOWN_IDS = 600
_ID = re.compile(r"[0-9]{1,18}")  # 18 digits at most: always a bigint
_IDS = re.compile(r"[0-9]{1,18}(?:,[0-9]{1,18})*")


def shown_ids(text: str) -> str:
    """The comments a page shows, from ``?ids=`` (ids separated by commas): its first
    ``MAX_SHOWN_IDS`` parts that are ids, separated by commas, as ``reader_layer`` takes
    them. The list the page's script sends is taken as it is, after one match."""
    if _IDS.fullmatch(text) and text.count(",") < MAX_SHOWN_IDS:
        return text
    return ",".join(part for part in text.split(",")[:MAX_SHOWN_IDS] if _ID.fullmatch(part))


def reader_layer_statement(
    article_id: int, viewer_key: int | str, shown: str, *, by_session: bool = False
):
    """The layer's statement and its parameters, for an account (its id), a signed-in
    session (``by_session``: its key; the layer is then the account's that the live session
    by that key is signed in to, or no one's) or a guest (the hashed browser key), and the
    comments shown (``shown_ids``), for ``reader_layer_rows`` to read
    (``newsroom.prepared``)."""
    params = [
        article_id,
        timezone.now(),
        shown,  # parsed by the statement: cheaper than an array
        viewer_key,
        (shown.count(",") + 1 if shown else 0) + LATEST_SHOWN,
    ]
    reader = "session" if by_session else "user" if isinstance(viewer_key, int) else "guest"
    return _reader_layer_prepared(reader), params


def reader_layer(article_id: int, viewer, shown: str) -> ReaderLayer | None:
    """Whether the signed-in reader follows the article, their votes on the comments shown,
    their own comments among them, and those of theirs only they see (pending, removed,
    rejected) on the article: one query, through the primary keys, the reader's comments and
    the one-vote-per-reader indexes, whatever the discussion's size (``shown``: the ids of
    the comments shown, as ``shown_ids`` gives them). None when the article is not
    published (or there is none)."""
    if viewer.user is None and not viewer.key:
        return None if not _published_exists(article_id) else ReaderLayer(False, {}, {}, [])
    key = viewer.user.pk if viewer.user is not None else viewer.key
    statement, params = reader_layer_statement(article_id, key, shown)
    return reader_layer_rows(statement.fetchall(connection, params), viewer)


def reader_layer_rows(rows: list[tuple], viewer) -> ReaderLayer | None:
    """``reader_layer`` from the rows of its statement, read for ``viewer``."""
    from comments.services import editable

    article_rows = [row for row in rows if row[0] == "a"]
    if not article_rows:
        return None
    now = timezone.now()
    found = ReaderLayer(following=bool(article_rows[0][2]), votes={}, own={}, pending_ids=[])
    for kind, pk, value, status, is_deleted, created_at, held, shown in rows:
        if kind == "v" and value:
            found.votes[pk] = value
        if kind != "c":
            continue
        mine = not is_deleted and status in OWN_SHOWN
        if shown and (mine or (status == Status.APPROVED and not is_deleted)):
            # Every row is the reader's own: what else decides whether they may edit it.
            found.own[pk] = editable(
                status=status, is_deleted=is_deleted, created_at=created_at, held=held, now=now
            )
        elif not shown and mine:
            found.pending_ids.append(pk)
    return found


def _published_exists(article_id: int) -> bool:
    return Article.objects.published().filter(pk=article_id).exists()


def own_hidden_nodes(article_id: int, viewer, ids: list[int]) -> list[Node]:
    """The reader's own comments ``ids`` that only they see, as nodes to render (pending,
    or removed or rejected with the way to appeal)."""
    comments = (
        Comment.objects.filter(viewer.own_filter(), pk__in=ids, article_id=article_id)
        .select_related("user")
        .order_by("pk")
    )
    return [_node(comment, viewer.owns) for comment in comments]


def first_comments(article: Article, limit: int = 3) -> list[Comment]:
    """The first visible threads' opening comments, editor's picks first (what search
    engines are shown beside the article): one probe of the threads-oldest index."""
    return list(
        Comment.objects.visible()
        .filter(article=article, level=0)
        .select_related("user")
        .order_by("-is_featured", "created_at", "id")[:limit]
    )
