"""A WordPress export (WXR) into the site: posts become articles with their comments, each
old permalink a redirect to the article's new address.

The file is read one ``<item>`` at a time (a post with its comments); each post is written in
a transaction of its own, so a broken post is reported and skipped while the rest go in.
"""

from __future__ import annotations

import html
import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from articles.formatting import clean_imported_html
from articles.models import Article, Author, OldPermalink, Section, Tag
from comments.domain import CommentRefused
from comments.imports.discussion import ARTICLE, IncomingComment, fingerprint, write_discussion
from comments.imports.source import ImportFailed, RecordSkipped, child, local_name, stream, text_of
from comments.imports.summary import Summary, refused_comment
from comments.imports.text import comment_body, guest_email, guest_name, plain_text
from comments.models import ImportedRecord, Status
from comments.transfer import EARLIEST, parse_time

SOURCE = "wordpress"
# wp:comment_approved → the site's status. Anything else waits for a moderator.
STATUSES = {
    "1": Status.APPROVED,
    "approve": Status.APPROVED,
    "0": Status.PENDING,
    "hold": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.REMOVED,
    "post-trashed": Status.REMOVED,
}
PUBLISHED = {"publish", "future"}  # "future": scheduled; draft, pending, private: drafts
SCHEDULED_AHEAD = timedelta(days=3650)  # the latest a scheduled post may be dated
# A newspaper's archive may reach back long before the web (comments may not: 1990).
ARCHIVE_START = datetime(1800, 1, 1, tzinfo=UTC)
STANDFIRST_LENGTH = Article._meta.get_field("standfirst").max_length
HEADLINE_LENGTH = Article._meta.get_field("headline").max_length


@dataclass
class Post:
    source_id: str
    title: str
    slug: str
    content: str
    excerpt: str
    status: str
    published_at: object
    author: str
    section: tuple[str, str] | None  # (slug, name)
    tags: list[tuple[str, str]] = field(default_factory=list)
    permalink: str = ""
    comments_open: bool = True
    thumbnail_id: str = ""


def wp(element: Element, name: str) -> str:
    """The text of ``element``'s ``wp:name`` child."""
    return text_of(child(element, name, "wordpress.org/export"))


def _time(value: str, *, latest=None, earliest=EARLIEST):
    """A WXR time (``2019-05-03 10:22:01``, GMT) or None for WordPress's zero date."""
    if not value or value.startswith("0000-00-00"):
        return None
    parsed = parse_time(f"{value.replace(' ', 'T')}+00:00", latest=latest, earliest=earliest)
    if parsed is None:
        raise RecordSkipped(_("impossible or out-of-range date %r") % value[:40])
    return parsed


def _permalink(link: str) -> str:
    parts = urlsplit(link.strip())
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return path[: OldPermalink._meta.get_field("path").max_length]


def read_post(item: Element) -> Post:
    categories = [c for c in item if local_name(c.tag) == "category"]
    sections = [c for c in categories if c.get("domain") == "category"]
    tags = [c for c in categories if c.get("domain") == "post_tag"]

    def named(element: Element) -> tuple[str, str]:
        name = html.unescape(text_of(element))[:80]
        return (slugify(unquote(element.get("nicename") or "")) or slugify(name))[:80], name

    meta = {wp(m, "meta_key"): wp(m, "meta_value") for m in item if local_name(m.tag) == "postmeta"}
    status = wp(item, "status")
    latest = timezone.now() + (SCHEDULED_AHEAD if status == "future" else timedelta(days=1))
    date = _time(wp(item, "post_date_gmt"), latest=latest, earliest=ARCHIVE_START)
    if date is None and wp(item, "post_date") and status in PUBLISHED:
        # A post without a GMT time: its local time, read in the site's zone.
        local = wp(item, "post_date").replace(" ", "T")
        parsed = parse_time(local, latest=latest, earliest=ARCHIVE_START)
        if parsed is None:
            raise RecordSkipped(_("impossible or out-of-range date %r") % wp(item, "post_date"))
        date = parsed
    title = html.unescape(plain_text(text_of(child(item, "title"))))
    return Post(
        source_id=wp(item, "post_id"),
        title=" ".join(title.split())[:HEADLINE_LENGTH] or _("Untitled"),
        slug=slugify(unquote(wp(item, "post_name")))[:200] or slugify(title)[:200],
        content=_inner_text(child(item, "encoded", "purl.org/rss/1.0/modules/content")),
        excerpt=_inner_text(child(item, "encoded", "excerpt")),
        status=status,
        published_at=date,
        author=text_of(child(item, "creator")),
        section=named(sections[0]) if sections else None,
        tags=[named(t) for t in tags],
        permalink=_permalink(text_of(child(item, "link"))),
        comments_open=wp(item, "comment_status") != "closed",
        thumbnail_id=meta.get("_thumbnail_id", ""),
    )


def _inner_text(element: Element | None) -> str:
    return (element.text or "") if element is not None else ""


def _standfirst(post: Post, body: str) -> str:
    text = " ".join(plain_text(post.excerpt or body).split())
    if len(text) <= STANDFIRST_LENGTH:
        return text
    cut = text[: STANDFIRST_LENGTH - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


def read_comments(item: Element, where: str, summary: Summary) -> list[IncomingComment]:
    incoming = []
    for element in item:
        if local_name(element.tag) != "comment":
            continue
        source_id = wp(element, "comment_id")
        kind = wp(element, "comment_type")
        if kind not in ("", "comment"):
            summary.skipped[f"{kind}s"] += 1
            continue
        status = STATUSES.get(wp(element, "comment_approved"), Status.PENDING)
        try:
            created = _time(wp(element, "comment_date_gmt"))
        except RecordSkipped as error:
            refused_comment(summary, where, source_id, CommentRefused(str(error)))
            continue
        if created is None:
            refused_comment(summary, where, source_id, CommentRefused(_("no date")))
            continue
        try:
            body = comment_body(wp(element, "comment_content"))
        except CommentRefused as error:
            refused_comment(summary, where, source_id, error)
            continue
        parent = wp(element, "comment_parent")
        incoming.append(
            IncomingComment(
                source_id=source_id,
                parent_id=parent if parent not in ("", "0") else None,
                name=guest_name(wp(element, "comment_author")),
                email=guest_email(wp(element, "comment_author_email")),
                body=body,
                created_at=created,
                status=status,
                ip=_address(wp(element, "comment_author_IP")),
            )
        )
    return incoming


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class WordPressImport:
    """One run over one file. ``run`` streams it; ``summary`` says what happened."""

    def __init__(self, path: str, *, strict: bool = False, progress=None) -> None:
        self.path = path
        self.strict = strict
        self.progress = progress
        self.summary = Summary()
        self.authors: dict[str, str] = {}  # login → display name (the file lists them first)
        self.attachments: dict[str, str] = {}  # attachment id → its address
        self.waiting_for_image: dict[str, int] = {}  # attachment id → article record id

    def run(self) -> Summary:
        wanted = {"author": 2, "item": 2}  # rss > channel > (wp:author | item)
        for element in stream(self.path, wanted, self.progress):
            if local_name(element.tag) == "author":
                login = wp(element, "author_login")
                self.authors[login] = wp(element, "author_display_name") or login
                continue
            self.item(element)
        return self.summary

    def item(self, item: Element) -> None:
        kind = wp(item, "post_type")
        if kind == "attachment":
            self.summary.skipped["attachments"] += 1
            self.attachment(wp(item, "post_id"), wp(item, "attachment_url"))
            return
        if kind != "post":
            self.summary.skipped[f"{kind or 'unknown'}s"] += 1
            return
        if wp(item, "status") in ("trash", "auto-draft", "inherit"):
            self.summary.skipped["trashed posts"] += 1
            return
        source_id = wp(item, "post_id")
        counted = self.summary.counts()
        try:
            with transaction.atomic():
                post = read_post(item)
                article = self.article(post)
                incoming = read_comments(item, _("post %s") % source_id, self.summary)
                write_discussion(
                    source=SOURCE, article=article, incoming=incoming, summary=self.summary
                )
        except (RecordSkipped, IntegrityError, DataError) as error:
            if self.strict:
                raise ImportFailed(
                    _("Post %(id)s: %(error)s") % {"id": source_id, "error": error}
                ) from None
            self.summary.restore(counted)  # what the rolled-back post counted did not happen
            self.summary.problem(
                _("Post %(id)s skipped: %(error)s") % {"id": source_id, "error": error}
            )
            self.summary.skipped["broken posts"] += 1

    def attachment(self, source_id: str, url: str) -> None:
        self.attachments[source_id] = url
        record_id = self.waiting_for_image.pop(source_id, None)
        if record_id is not None:
            record = ImportedRecord.objects.get(pk=record_id)
            record.details = {**record.details, "featured_image": url}
            record.save(update_fields=["details"])

    def article(self, post: Post) -> Article:
        """The article for ``post``: made, updated where the post changed, or as it was."""
        record = ImportedRecord.objects.filter(
            source=SOURCE, kind=ARTICLE, source_id=post.source_id
        ).first()
        body = clean_imported_html(post.content)
        if not body:
            raise RecordSkipped(_("the post has no text"))
        stamp = fingerprint(post.__dict__)
        article = Article.objects.filter(pk=record.object_id).first() if record else None
        if article is not None and record.details.get("h") == stamp:
            self.summary.articles["unchanged"] += 1
            return article
        creating = article is None
        article = article or Article()
        article.headline = post.title
        article.body = body
        article.standfirst = _standfirst(post, body)
        article.status = (
            Article.Status.PUBLISHED if post.status in PUBLISHED else Article.Status.DRAFT
        )
        article.published_at = post.published_at
        article.comments_open = post.comments_open
        article.section = self.section(post.section)
        if creating:
            article.slug = self.free_slug(post.slug or f"post-{post.source_id}")
        article.save()
        article.tags.set([self.tag(slug, name) for slug, name in post.tags if slug])
        article.authors.set([self.author(post.author)])
        if post.permalink not in ("", "/") and post.permalink != article.get_absolute_url():
            OldPermalink.objects.get_or_create(path=post.permalink, defaults={"article": article})
        details = {"h": stamp, "link": post.permalink}
        if post.thumbnail_id in self.attachments:
            details["featured_image"] = self.attachments[post.thumbnail_id]
        record, _created = ImportedRecord.objects.update_or_create(
            source=SOURCE,
            kind=ARTICLE,
            source_id=post.source_id,
            defaults={"object_id": article.pk, "details": details},
        )
        if post.thumbnail_id and "featured_image" not in details:
            self.waiting_for_image[post.thumbnail_id] = record.pk
        self.summary.articles["created" if creating else "updated"] += 1
        return article

    @staticmethod
    def free_slug(slug: str) -> str:
        candidate, n = slug, 1
        while Article.objects.filter(slug=candidate).exists():
            n += 1
            candidate = f"{slug[:190]}-{n}"
        return candidate

    @staticmethod
    def section(named: tuple[str, str] | None) -> Section:
        slug, name = named or ("archive", _("Archive"))
        slug = slug or "archive"
        found = (
            Section.objects.filter(slug=slug).first() or Section.objects.filter(name=name).first()
        )
        return found or Section.objects.create(slug=slug, name=name or slug)

    @staticmethod
    def tag(slug: str, name: str) -> Tag:
        found = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=name).first()
        return found or Tag.objects.create(slug=slug, name=name or slug)

    def author(self, login: str) -> Author:
        """An author record (never an account): the byline as WordPress showed it."""
        name = " ".join(self.authors.get(login, login).split())[:120] or _("Staff")
        slug = slugify(name)[:120] or "staff"
        found = Author.objects.filter(slug=slug).first()
        return found or Author.objects.create(slug=slug, name=name)
