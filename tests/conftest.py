"""Fixtures for the whole suite (real PostgreSQL: the embedded one or DATABASE_URL). The
builders are in tests/helpers.py."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from unittest import mock

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

from tests.helpers import READER_SETTINGS, make_user

# Property-based tests: in CI, the same examples every run (no saved failures to replay).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


# ``make test`` shares the tests between pytest-xdist's workers as tests/scheduling.py says
# (``--dist loadgroup`` selects it): tests that must stay together, by path, and the longest
# handed out first.
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getoption("dist") != "loadgroup":
        return None
    from tests.scheduling import Scheduling

    return Scheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item.nodeid for item in items if item.get_closest_marker("xdist_group")]
    if marked:
        raise pytest.UsageError(
            "xdist_group marks are ignored with pytest 9 (see tests/scheduling.py); "
            f"name the unit in tests/scheduling.py UNITS instead: {marked[0]}"
        )


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Every test hashes passwords with a fast hasher: accounts are made by the dozen, and the
    production hasher takes a good part of a second each time by design. Servers the tests
    start on the test database use it too (tests/server_settings.py)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete():
    """Transactional tests (browser tests, tests with servers) empty every table after each
    test with Django's flush: one TRUNCATE of all the tables, 0.2 to 0.5 s here, since
    PostgreSQL gives each table and index a new file. The tables hold a few rows by then, so
    DELETE empties them in milliseconds, to the same end: Django's foreign keys are checked at
    commit (the flush is one transaction), and neither resets the id sequences."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    with mock.patch.object(DatabaseOperations, "sql_flush", sql_flush):
        yield


@pytest.fixture(scope="session", autouse=True)
def _migrated_rows_restored_in_bulk():
    """Browser tests get the rows migrations made (groups, permissions, content types, the
    language policy) back after each test's flush (serialized rollback). Django saves them
    one by one, an UPDATE and an INSERT for each of some 170 rows; into empty tables, one
    INSERT per table does the same. Tables that are not empty get Django's own way."""
    from django.core import serializers
    from django.db import transaction
    from django.db.backends.base.creation import BaseDatabaseCreation

    one_by_one = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize_db_from_string(self, data: str) -> None:
        alias = self.connection.alias
        rows: dict[type, list] = {}
        links: dict[type, list] = {}
        for found in serializers.deserialize("json", data, using=alias):
            model = type(found.object)
            rows.setdefault(model, []).append(found.object)
            for name, targets in (found.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                links.setdefault(through, []).extend(
                    through(**{f"{source}_id": found.object.pk, f"{target}_id": pk})
                    for pk in targets
                )
        manager = lambda model: model._base_manager.using(alias)  # noqa: E731
        if any(manager(model).exists() for model in [*rows, *links]):
            return one_by_one(self, data)
        with transaction.atomic(using=alias):
            for model, objects in [*rows.items(), *links.items()]:
                manager(model).bulk_create(objects)
            self.connection.check_constraints(
                table_names=[model._meta.db_table for model in [*rows, *links]]
            )
        return None

    with mock.patch.object(
        BaseDatabaseCreation, "deserialize_db_from_string", deserialize_db_from_string
    ):
        yield


# The rows migrations made (groups, permissions, content types, the language policy), as
# Django serializes them, and the way to the database outside a test: see below.
_migrated: dict[str, object] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and a snapshot of the rows migrations made in it (the
    one Django keeps for serialized rollback when some test asks for it)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    _migrated.update(rows=connection._test_serialized_contents, blocker=django_db_blocker)
    yield
    _migrated.clear()


def _empties_the_tables(item: pytest.Item) -> bool:
    """A transactional test that leaves the tables empty: its flush at the end deletes the
    migrated rows too. Browser tests put them back themselves (serialized rollback)."""
    if "django_db_serialized_rollback" in item.fixturenames:
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("serialized_rollback"):
        return False
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test's flush, the migrated rows go back at once (one INSERT per
    table), so the tests after it find the groups and permissions whatever the order they
    run in. pytest-django runs transactional tests last for this; tests/scheduling.py hands
    the long ones out first, and a worker runs whatever it is handed."""
    result = yield
    if nextitem is not None and _migrated and _empties_the_tables(item):
        from django.core.management.color import no_style
        from django.db import DEFAULT_DB_ALIAS, connections, transaction

        connection = connections[DEFAULT_DB_ALIAS]
        with _migrated["blocker"].unblock():
            # The flush's post_migrate made content types and permissions anew, under new
            # ids: away with them (a DELETE per table, see _flush_by_delete; flush the command
            # would TRUNCATE), and the migrated rows back under their own ids.
            tables = connection.introspection.django_table_names(only_existing=True)
            with transaction.atomic(using=DEFAULT_DB_ALIAS), connection.cursor() as cursor:
                for sql in connection.ops.sql_flush(no_style(), tables):
                    cursor.execute(sql)
            connection.creation.deserialize_db_from_string(_migrated["rows"])
    return result


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory) -> Path:
    """A temporary folder shared by every process of this run (xdist's workers each have one
    of their own inside it), for what is worth computing once per run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _demo_pictures_painted_once(run_folder):
    """The demo's lead images are the same pictures for the same articles every time, and
    painting the twelve costs seconds: they are painted once per run, for every process of
    it (a lock per picture)."""
    from articles import demo

    paint = demo.make_lead_image
    folder = run_folder / "demo-pictures"
    folder.mkdir(exist_ok=True)

    def painted(slug: str, section: str, composition: str) -> bytes:
        path = folder / f"{slug}-{section}-{composition}.jpg"
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                path.with_suffix(".part").write_bytes(paint(slug, section, composition))
                path.with_suffix(".part").replace(path)
            return path.read_bytes()

    with mock.patch.object(demo, "make_lead_image", painted):
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
    """The reader-facing defaults and no moderation policies (READER_SETTINGS), for one test."""
    for name, value in READER_SETTINGS.items():
        setattr(settings, name, value)
    return settings
