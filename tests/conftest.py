"""Fixtures for the whole suite (real PostgreSQL: the embedded one or DATABASE_URL). The
builders are in tests/helpers.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.helpers import make_user


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


@pytest.fixture
def editor(db) -> User:
    return make_user("editor-test", groups=["Editors"], is_staff=True)
