"""Fixtures for the whole suite (real PostgreSQL: the embedded one or DATABASE_URL). The
builders are in tests/helpers.py."""

from __future__ import annotations

import os

# The language scorer's encoder multiplies small matrices with numpy. OpenBLAS's default of a
# thread per core makes each of those products wait on the other core, which the other test
# worker (and the servers tests start) keep busy: measured here, 40 embeddings took 10-19 s
# that way and 0.8-2 s with one thread. One thread per process, as deploy/gunicorn.conf.py
# sets for the workers; set before numpy is imported, and inherited by every process a test
# starts.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest
from django.contrib.auth.models import User
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from tests.helpers import make_user

# Property-based tests: in CI, the same examples every run (no saved failures to replay).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


# Tests that must stay together on one worker when pytest-xdist runs the suite in parallel
# (``make test``: ``-n auto --dist loadgroup``): the browser tests share a folder of
# screenshots, emptied when a process starts them, and one Chromium per module; the soak test
# should not run beside itself; the cluster tests start one cluster on fixed ports, once per
# process. xdist hands out the largest groups first, so these long runs
# start at once, side by side, and the other tests (handed out one by one) fill in around them.
XDIST_GROUPS = {"e2e": "browser", "soak": "soak", "cluster": "cluster"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups from the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        for marker, group in XDIST_GROUPS.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Every test hashes passwords with a fast hasher: accounts are made by the dozen, and the
    production hasher takes a good part of a second each time by design. Servers the tests
    start (gunicorn) keep the production hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Every test that uses the database starts with an empty shared cache. It is a table in
    the test database (or Redis), which transactional tests' flush does not empty. Tests
    without the database never touch it: no test database may exist for them."""
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if not uses_db:
        yield
        return
    from django.core.cache import cache

    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        cache.clear()
    yield
    with blocker.unblock():
        cache.clear()


@pytest.fixture
def editor(db) -> User:
    return make_user("editor-test", groups=["Editors"], is_staff=True)


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    """Article pages are rendered afresh: a test's transaction never commits, so the cached
    copies' post-commit invalidation would never run. tests/comments/test_page_cache.py turns
    the cache on and runs those callbacks; the browser tests (real commits) keep it on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def reader_settings(settings):
    """The documented reader-facing defaults, pinned so the environment cannot change them, and
    the moderation policies (rate limits, repeats, link limits, pre-moderation, spam checker,
    hiding after reports) switched off: their own suite proves them."""
    settings.COMMENTS_PER_PAGE = 20
    settings.COMMENTS_MAX_DEPTH = 6
    settings.COMMENTS_REPLIES_SHOWN = 3
    settings.COMMENTS_GUEST_VOTES_PER_HOUR = 60
    settings.COMMENTS_FORM_MIN_SECONDS = 2
    settings.COMMENTS_FORM_MAX_AGE = 6 * 60 * 60
    settings.TRUSTED_PROXY_HOPS = 0
    settings.COMMENTS_RATE_LIMITS = ""
    settings.COMMENTS_EDIT_RATE_LIMITS = ""
    settings.COMMENTS_REPORT_RATE_LIMITS = ""
    settings.COMMENTS_DUPLICATE_WINDOW = 0
    settings.COMMENTS_MAX_LINKS = 10
    settings.COMMENTS_PREMODERATE = False
    settings.COMMENTS_PREMODERATE_FIRST_TIMERS = False
    settings.COMMENTS_SPAM_CHECKER = ""
    settings.COMMENTS_REPORTS_TO_HIDE = 0
    return settings
