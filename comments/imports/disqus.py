"""A Disqus export into the site's discussions: each thread matched to an article by its
link or identifier (or a mapping file), its posts threaded with their parents.

A Disqus file lists every thread, then every post of the forum in one stream, replies of a
thread anywhere after (or before) its other posts. The posts are first copied, as they come,
into a temporary table (PostgreSQL ``COPY``: memory stays flat however large the file), then
each thread's posts are read back and written in a transaction of their own.
"""

from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from articles.models import Article, OldPermalink
from comments.domain import CommentRefused
from comments.imports import wordpress
from comments.imports.discussion import ARTICLE, IncomingComment, write_discussion
from comments.imports.source import ImportFailed, RecordSkipped, local_name, stream, text_of
from comments.imports.summary import Summary, refused_comment
from comments.imports.text import comment_body, guest_email, guest_name
from comments.models import ImportedRecord, Status
from comments.transfer import parse_time

SOURCE = "disqus"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
STAGING = "import_disqus_post"
COLUMNS = (
    "post_id", "thread_id", "parent_id", "created", "message", "name", "email", "ip",
    "deleted", "spam", "approved",
)  # fmt: skip


@dataclass
class Thread:
    source_id: str
    identifier: str
    link: str
    title: str

    def describe(self) -> str:
        return self.link or self.identifier or self.title or self.source_id


def read_mapping(path: str) -> dict[str, str]:
    """A CSV of ``thread link or identifier, article slug or address`` rows (a header row,
    if any, is ignored as it matches no thread)."""
    mapping: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0].strip():
                    mapping[row[0].strip()] = row[1].strip()
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFailed(_("Cannot read the mapping file %(path)s: %(error)s") % {
            "path": path, "error": error
        }) from None  # fmt: skip
    return mapping


def _flag(parts: dict[str, Element], name: str, default: bool = False) -> bool:
    value = text_of(parts.get(name)).lower()
    return default if not value else value == "true"


def _ref(parts: dict[str, Element], name: str) -> str:
    found = parts.get(name)
    return (found.get(DSQ_ID) or "") if found is not None else ""


def _address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


class DisqusImport:
    def __init__(
        self,
        path: str,
        *,
        mapping: dict[str, str] | None = None,
        strict: bool = False,
        progress=None,
    ) -> None:
        self.path = path
        self.mapping = mapping or {}
        self.strict = strict
        self.progress = progress or (lambda done, total, label="": None)
        self.summary = Summary()
        self.threads: dict[str, Thread] = {}

    def run(self) -> Summary:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING} (seq bigserial PRIMARY KEY, "
                "post_id text, thread_id text, parent_id text, created text, message text, "
                "name text, email text, ip text, deleted boolean, spam boolean, approved boolean)"
            )
        try:
            self.read()
            self.write()
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            except DatabaseError:  # a failed transaction: the table goes with the session
                pass
        return self.summary

    def read(self) -> None:
        def reading(done: int, total: int) -> None:
            self.progress(done, total, "reading")

        with connection.cursor() as cursor:
            copy_sql = f"COPY {STAGING} ({', '.join(COLUMNS)}) FROM STDIN"
            failure: ImportFailed | None = None
            # A broken file ends the COPY normally (an exception inside it would abort the
            # transaction); the failure is raised after it, and nothing is written.
            with cursor.copy(copy_sql) as copy:
                try:
                    self._copy(copy, reading)
                except ImportFailed as error:
                    failure = error
            if failure is not None:
                raise failure

    def _copy(self, copy, reading) -> None:
        for element in stream(self.path, {"thread": 1, "post": 1}, reading):
            parts = {local_name(part.tag): part for part in reversed(element)}  # first wins
            if local_name(element.tag) == "thread":
                thread = Thread(
                    source_id=element.get(DSQ_ID) or "",
                    identifier=text_of(parts.get("id")),
                    link=text_of(parts.get("link")),
                    title=text_of(parts.get("title")),
                )
                self.threads[thread.source_id] = thread
                continue
            author = parts.get("author")
            author = {} if author is None else {local_name(a.tag): a for a in author}
            message = parts.get("message")
            copy.write_row(
                (
                    element.get(DSQ_ID) or "",
                    _ref(parts, "thread"),
                    _ref(parts, "parent") or None,
                    text_of(parts.get("createdAt")),
                    (message.text or "") if message is not None else "",
                    text_of(author.get("name")) or text_of(author.get("username")),
                    text_of(author.get("email")),
                    _address(text_of(parts.get("ipAddress"))),
                    _flag(parts, "isDeleted"),
                    _flag(parts, "isSpam"),
                    _flag(parts, "isApproved", default=True),
                )
            )

    def write(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX ON {STAGING} (thread_id, seq)")
            cursor.execute(
                f"SELECT thread_id, count(*) FROM {STAGING} GROUP BY thread_id ORDER BY min(seq)"
            )
            threads = cursor.fetchall()
        for done, (thread_id, count) in enumerate(threads):
            self.progress(done, len(threads), "writing")
            thread = self.threads.get(thread_id) or Thread(thread_id, "", "", "")
            article = self.match(thread)
            if article is None:
                self.summary.unmatched.append(
                    _("%(thread)s (Disqus thread %(id)s, %(count)d comments)")
                    % {"thread": thread.describe(), "id": thread_id, "count": count}
                )
                self.summary.skipped["comments of unmatched threads"] += count
                continue
            counted = self.summary.counts()
            try:
                with transaction.atomic():
                    incoming = self.incoming(thread_id, article)
                    write_discussion(
                        source=SOURCE, article=article, incoming=incoming, summary=self.summary
                    )
            except (RecordSkipped, IntegrityError, DataError) as error:
                if self.strict:
                    raise ImportFailed(f"{thread.describe()}: {error}") from None
                self.summary.restore(counted)
                self.summary.problem(f"{thread.describe()}: {error}")
        self.progress(len(threads), len(threads), "writing")
        if self.strict and self.summary.unmatched:
            raise ImportFailed(_("some threads match no article: %s") % self.summary.unmatched[0])

    def incoming(self, thread_id: str, article: Article) -> list[IncomingComment]:
        where = f"“{article.headline[:60]}”"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {STAGING} WHERE thread_id = %s ORDER BY seq",
                [thread_id],
            )
            rows = cursor.fetchall()
        comments = []
        for (
            post_id, _thread, parent_id, created, message, name, email, ip, deleted, spam,
            approved,
        ) in rows:  # fmt: skip
            created_at = parse_time(created)
            if created_at is None:
                refused_comment(
                    self.summary, where, post_id, CommentRefused(_("no valid date %r") % created)
                )
                continue
            try:
                body = comment_body(message, deleted=deleted)
            except CommentRefused as error:
                refused_comment(self.summary, where, post_id, error)
                continue
            if spam:
                status = Status.SPAM
            elif not approved:
                status = Status.PENDING
            else:
                status = Status.APPROVED
            comments.append(
                IncomingComment(
                    source_id=post_id,
                    parent_id=parent_id,
                    name=guest_name(name),
                    email=guest_email(email),
                    body=body,
                    created_at=created_at,
                    status=status,
                    is_deleted=deleted,
                    ip=ip or None,
                )
            )
        return comments

    def match(self, thread: Thread) -> Article | None:
        """The article a thread belongs to: by the mapping file, the identifier (a WordPress
        post imported before, or a slug), then the link (this site's address, or an old
        permalink)."""
        for key in (thread.link, thread.identifier, thread.source_id):
            if key and key in self.mapping:
                return self.by_address(self.mapping[key])
        if thread.identifier:
            first = thread.identifier.split()[0]
            record = ImportedRecord.objects.filter(
                source=wordpress.SOURCE, kind=ARTICLE, source_id=first
            ).first()
            if record is not None:
                return Article.objects.filter(pk=record.object_id).first()
            found = Article.objects.filter(slug=first).first()
            if found is not None:
                return found
        return self.by_address(thread.link) if thread.link else None

    @staticmethod
    def by_address(value: str) -> Article | None:
        """An article named by its slug, its address here, or one of its old addresses."""
        parts = urlsplit(value)
        path = parts.path or "/"
        if "/" not in value:
            return Article.objects.filter(slug=value).first()
        try:
            match = resolve(path)
            if match.view_name == "articles:detail":
                return Article.objects.filter(slug=match.kwargs["slug"]).first()
        except Resolver404:
            pass
        query = f"?{parts.query}" if parts.query else ""
        other = path[:-1] if path.endswith("/") and len(path) > 1 else f"{path}/"
        old = (
            OldPermalink.objects.filter(path__in=[path + query, other + query, path, other])
            .select_related("article")
            .first()
        )
        return old.article if old else None
