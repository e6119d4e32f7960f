"""Shared builders for the test suite (real PostgreSQL: the embedded one or DATABASE_URL)."""

from __future__ import annotations

import io
import itertools
import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from PIL import Image

from articles.models import Article, Author, Section, Tag

_counter = itertools.count(1)

# Property-based tests: in CI, the same examples every run (no saved failures to replay).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Uploaded files go to a temporary folder, never the developer's media/; static files are
    served from the source folders (no collectstatic manifest needed)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Background tasks run in the test's own process at once (mail lands in mail.outbox).
    The worker tests switch back to the database backend and a real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _clear_cache(django_db_setup, django_db_blocker):
    """Every test starts with an empty shared cache. It is a table in the test database (or
    Redis), which transactional tests' flush does not empty, so clear it around each test."""
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()


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


@pytest.fixture
def editor(db) -> User:
    return make_user("editor-test", groups=["Editors"], is_staff=True)
