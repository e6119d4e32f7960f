"""Discussions out and back in: the JSON format of ``export_comments`` and ``import_comments``.

The format is documented in docs/comments-export.md. Comments keep their ids, so permalinks
still work after an import; importing the same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article
from comments import passages, tree
from comments.models import Comment, Status
from newsroom import pagecache

FORMAT = "newsroom-comments"
VERSION = 1
CHUNK = 500  # comments read, or written, at a time
# Ids above this are refused: the sequence would jump past them (2**63 - 1 leaves no id for the
# next comment), and JavaScript reads the API's ids as doubles, exact only up to 2**53.
MAX_ID = 2**53
# Times a comment may carry: none before the web, none later than a day ahead (clock skew).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

Progress = Callable[[int, int], None]  # (done, total)


class ImportRefused(Exception):
    """The file cannot be imported as it is; nothing was written."""


def _without_repeats(progress: Progress | None) -> Progress:
    """``progress``, called only when the count moved (a batch may end where an article does)."""
    said: list[tuple[int, int]] = []

    def report(done: int, total: int) -> None:
        if progress is not None and [(done, total)] != said[-1:]:
            said.append((done, total))
            progress(done, total)

    return report


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(
    *, articles: Iterable[Article], with_emails: bool = False, progress: Progress | None = None
) -> dict:
    """The discussions of ``articles`` as one JSON-ready document, each article's comments in
    tree order (a parent before its replies). Emails only with ``with_emails``."""
    progress = _without_repeats(progress)
    articles = list(articles)
    total = Comment.objects.filter(article__in=articles).count()
    done = 0
    document = {"format": FORMAT, "version": VERSION, "exported_at": _time(timezone.now())}
    document["articles"] = []
    for article in articles:
        comments = []
        rows = (
            Comment.objects.filter(article=article)
            .select_related("user")
            .order_by("tree_id", "lft")
            .iterator(chunk_size=CHUNK)
        )
        for comment in rows:
            author = {
                "name": comment.author_name,
                "username": comment.user.get_username() if comment.user_id else None,
            }
            if with_emails:
                author["email"] = comment.email
            comments.append(
                {
                    "id": comment.pk,
                    "parent_id": comment.parent_id,
                    "author": author,
                    "body": comment.body,
                    "created_at": _time(comment.created_at),
                    "edited_at": _time(comment.edited_at),
                    "status": comment.status,
                    "is_deleted": comment.is_deleted,
                    "is_featured": comment.is_featured,
                    "votes": {"up": comment.upvotes, "down": comment.downvotes},
                    "passage": (
                        {"paragraph": comment.passage, "quote": comment.quote}
                        if comment.passage
                        else None
                    ),
                }
            )
            done += 1
            if progress and done % CHUNK == 0:
                progress(done, total)
        document["articles"].append(
            {"slug": article.slug, "headline": article.headline, "comments": comments}
        )
    if progress:
        progress(done, total)
    return document


def _check(document: dict) -> dict[str, Article]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused(f"This is not a {FORMAT} file.")
    if document.get("version") != VERSION:
        raise ImportRefused(
            f"Unsupported version {document.get('version')!r} (expected {VERSION})."
        )
    slugs = [item.get("slug") for item in document.get("articles", [])]
    found = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ImportRefused(
            "These articles are not on this site (import or publish them first): "
            + ", ".join(map(str, missing))
        )
    statuses = set(Status.values)
    for item in document["articles"]:
        seen: set[int] = set()
        for row in item["comments"]:
            if not _well_typed(row):
                raise ImportRefused(f"A comment is missing fields or has wrong types: {row!r:.200}")
            if row["status"] not in statuses:
                raise ImportRefused(f"Comment {row['id']}: unknown status {row['status']!r}.")
            if row["parent_id"] is not None and row["parent_id"] not in seen:
                raise ImportRefused(
                    f"Comment {row['id']}: its parent {row['parent_id']} does not come before it."
                )
            if row["id"] > MAX_ID or (row["parent_id"] or 0) > MAX_ID:
                raise ImportRefused(f"Comment {row['id']}: ids must be at most {MAX_ID} (2**53).")
            if parse_time(row["created_at"]) is None:
                raise ImportRefused(f"Comment {row['id']}: no valid created_at.")
            if row["edited_at"] is not None and parse_time(row["edited_at"]) is None:
                raise ImportRefused(f"Comment {row['id']}: edited_at is not a valid time.")
            seen.add(row["id"])
    return found


def parse_time(
    text: str | None, *, latest: datetime | None = None, earliest: datetime = EARLIEST
) -> datetime | None:
    """An ISO 8601 time as an aware datetime, or None when it is malformed, impossible
    ("2026-02-30"), before ``earliest`` (default 1990) or after ``latest`` (default: a day
    from now). A time without an offset is read in the site's time zone."""
    try:
        value = parse_datetime(text or "")
    except ValueError:  # well-formed but impossible: February 30th, hour 25
        return None
    if value is None:
        return None
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (ValueError, OverflowError):
            return None
    if latest is None:
        latest = timezone.now() + timedelta(days=1)
    return value if earliest <= value <= latest else None


def _is_text(value) -> bool:
    """A string PostgreSQL can store: encodable (no lone surrogates), without NUL."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _well_typed(row) -> bool:
    def count(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    return (
        isinstance(row, dict)
        and count(row.get("id"))
        and (row.get("parent_id") is None or count(row.get("parent_id")))
        and _is_text(row.get("body"))
        and isinstance(row.get("author"), dict)
        and all(_is_text(row["author"].get(k) or "") for k in ("name", "username", "email"))
        and isinstance(row.get("votes"), dict)
        and count(row["votes"].get("up"))
        and count(row["votes"].get("down"))
        and isinstance(row.get("created_at"), str)
        and (row.get("edited_at") is None or isinstance(row.get("edited_at"), str))
        and (row.get("passage") is None or _well_typed_passage(row))
    )


def _well_typed_passage(row: dict) -> bool:
    """A comment on a passage (files from before passages have none): only a new thread."""
    passage = row["passage"]
    return (
        row.get("parent_id") is None
        and isinstance(passage, dict)
        and isinstance(passage.get("paragraph"), int)
        and not isinstance(passage.get("paragraph"), bool)
        and 1 <= passage["paragraph"] <= 32767
        and _is_text(passage.get("quote"))
        and 0 < len(passage["quote"]) <= passages.MAX_QUOTE
    )


@transaction.atomic
def import_document(document: dict, *, progress: Progress | None = None) -> dict[str, int]:
    """Add the file's comments to their articles (matched by slug), keeping ids, trees, times,
    statuses and vote counts. Comments already present (same id, same article) are skipped;
    an id taken by another comment refuses the whole import. All or nothing: one transaction.

    Returns ``{"imported": n, "skipped": m}``."""
    progress = _without_repeats(progress)
    articles = _check(document)
    rows_by_article = [(articles[item["slug"]], item["comments"]) for item in document["articles"]]
    all_ids = [row["id"] for _, rows in rows_by_article for row in rows]
    existing = dict(Comment.objects.filter(pk__in=all_ids).values_list("pk", "article_id"))
    for article, rows in rows_by_article:
        for row in rows:
            if row["id"] in existing and existing[row["id"]] != article.pk:
                raise ImportRefused(
                    f"Comment id {row['id']} is already used on another article: import into "
                    "a site without those comments."
                )
    usernames = {
        row["author"].get("username")
        for _, rows in rows_by_article
        for row in rows
        if row["author"].get("username")
    }
    User = get_user_model()
    users = {u.get_username(): u for u in User.objects.filter(username__in=usernames)}
    total, done, imported = len(all_ids), 0, 0
    for article, rows in rows_by_article:
        new_rows = [row for row in rows if row["id"] not in existing]
        done += len(rows) - len(new_rows)
        if not new_rows:
            continue
        if len(new_rows) != len(rows):
            raise ImportRefused(
                f"Article {article.slug}: some of its comments are here already, others not; "
                "restore a backup instead of importing over a partial discussion."
            )
        numbers = tree.numbered((row["id"], row["parent_id"]) for row in rows)
        next_tree = tree.lock_new_trees()  # new threads: the same lock posting takes
        tree_ids: dict[int, int] = {}
        batch = []
        for row in rows:
            root, lft, rght, level = numbers[row["id"]]
            if root not in tree_ids:
                tree_ids[root] = next_tree
                next_tree += 1
            author = row["author"]
            user = users.get(author.get("username") or "")
            up, down = row["votes"]["up"], row["votes"]["down"]
            batch.append(
                Comment(
                    pk=row["id"],
                    article=article,
                    parent_id=row["parent_id"],
                    user=user,
                    guest_name="" if user else (author.get("name") or "")[:60],
                    guest_email="" if user else author.get("email") or "",
                    body=row["body"],
                    passage=(row.get("passage") or {}).get("paragraph"),
                    quote=(row.get("passage") or {}).get("quote", ""),
                    status=row["status"],
                    is_deleted=bool(row.get("is_deleted")),
                    is_featured=bool(row.get("is_featured")),
                    created_at=parse_time(row["created_at"]),
                    edited_at=parse_time(row["edited_at"]) if row["edited_at"] else None,
                    upvotes=up,
                    downvotes=down,
                    score=up - down,
                    tree_id=tree_ids[root],
                    lft=lft,
                    rght=rght,
                    level=level,
                )
            )
            if len(batch) == CHUNK:
                Comment.objects.bulk_create(batch)
                done += len(batch)
                imported += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        Comment.objects.bulk_create(batch)
        done += len(batch)
        imported += len(batch)
        Comment.objects.recount(article.pk)
        pagecache.article_changed(article.pk, article.slug)
        if progress:
            progress(done, total)
    # Ids were given, not drawn: move the sequence past them so new comments get fresh ids.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
    if progress:
        progress(done, total)
    return {"imported": imported, "skipped": total - imported}
