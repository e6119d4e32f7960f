"""Builders for the whole suite: sections, tags, authors, articles, accounts, images.

Tests import them from here; conftest.py holds only fixtures.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Section, Tag

_counter = itertools.count(1)

# The documented reader-facing defaults, pinned so the environment cannot change them, and the
# moderation policies (rate limits, repeats, link limits, pre-moderation, spam checker, hiding
# after reports) switched off: their own suite proves them.
READER_SETTINGS = {
    "COMMENTS_PER_PAGE": 20,
    "COMMENTS_MAX_DEPTH": 6,
    "COMMENTS_REPLIES_SHOWN": 3,
    "COMMENTS_GUEST_VOTES_PER_HOUR": 60,
    "COMMENTS_FORM_MIN_SECONDS": 2,
    "COMMENTS_FORM_MAX_AGE": 6 * 60 * 60,
    "TRUSTED_PROXY_HOPS": 0,
    "COMMENTS_RATE_LIMITS": "",
    "COMMENTS_EDIT_RATE_LIMITS": "",
    "COMMENTS_REPORT_RATE_LIMITS": "",
    "COMMENTS_DUPLICATE_WINDOW": 0,
    "COMMENTS_MAX_LINKS": 10,
    "COMMENTS_PREMODERATE": False,
    "COMMENTS_PREMODERATE_FIRST_TIMERS": False,
    "COMMENTS_SPAM_CHECKER": "",
    "COMMENTS_REPORTS_TO_HIDE": 0,
}


def jpeg_bytes(width: int = 1200, height: int = 675, colour: str = "#336699") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def make_section(**fields) -> Section:
    n = next(_counter)
    fields.setdefault("name", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    return Section.objects.create(**fields)


def make_tag(**fields) -> Tag:
    n = next(_counter)
    fields.setdefault("name", f"Tag {n}")
    fields.setdefault("slug", f"tag-{n}")
    return Tag.objects.create(**fields)


def make_author(**fields) -> Author:
    n = next(_counter)
    fields.setdefault("name", f"Author {n}")
    fields.setdefault("slug", f"author-{n}")
    fields.setdefault("bio", "Writes about the city.")
    return Author.objects.create(**fields)


def make_article(*, tags=(), authors=None, image: bool = False, **fields) -> Article:
    n = next(_counter)
    fields.setdefault("headline", f"Headline number {n}")
    fields.setdefault("slug", f"headline-{n}")
    fields.setdefault("standfirst", "What happened, in a sentence.")
    fields.setdefault("body", "First paragraph.\n\nSecond paragraph.")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
    if "section" not in fields:
        fields["section"] = make_section()
    article = Article(**fields)
    if image:
        article.lead_image.save(f"img-{n}.jpg", ContentFile(jpeg_bytes()), save=False)
    article.save()
    article.authors.set(authors if authors is not None else [make_author()])
    article.tags.set(tags)
    return article


def make_user(username: str | None = None, *, groups=(), **fields) -> User:
    username = username or f"user{next(_counter)}"
    fields.setdefault("email", f"{username}@example.org")
    user = User.objects.create_user(username=username, password="correct horse battery", **fields)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@contextmanager
def built_for_module(django_db_blocker, build: Callable, **settings) -> Iterator:
    """What ``build()`` returns, built once for a module's tests in a transaction rolled back
    after them (as ``setUpTestData`` does), with the settings each test has (tests/conftest.py)
    and ``settings``; each test runs in a transaction of its own inside it."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            **{**READER_SETTINGS, **settings},
            PAGE_CACHE_SECONDS=0,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
