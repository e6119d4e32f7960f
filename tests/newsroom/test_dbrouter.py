"""The database router (newsroom/dbrouter.py): may-be-stale reads go to the replica, the rest
to the primary, a reader who just wrote stays on the primary, and a replica that is away or
behind is not used.

The ``replica`` alias here is a second connection to the test database (what
``DATABASE_REPLICA_URL`` adds, pointing at the same server), so the routing decisions are
real queries on real connections; tests/cluster proves it against a streaming replica."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from newsroom import dbrouter
from tests.comments.helpers import guest_client, signed_in
from tests.helpers import make_article, make_user
from tests.processes import ROOT, free_port

REPLICA_DB = pytest.mark.django_db(transaction=True, databases=["default", dbrouter.REPLICA])


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """A ``replica`` alias on the test database, as the settings add one when
    DATABASE_REPLICA_URL is set (a mirror: the test database is not made twice)."""
    settings_dict = dict(connections["default"].settings_dict)
    settings_dict["TEST"] = {**settings_dict["TEST"], "MIRROR": "default"}
    connections.settings[dbrouter.REPLICA] = settings_dict
    yield
    with django_db_blocker.unblock():
        connections[dbrouter.REPLICA].close()
    del connections[dbrouter.REPLICA]
    del connections.settings[dbrouter.REPLICA]


@pytest.fixture
def replica(replica_alias, settings):
    dbrouter._health.checked_at = float("-inf")  # each test measures the replica afresh
    settings.DATABASE_REPLICA_MAX_LAG = 10
    settings.DATABASE_REPLICA_PIN_SECONDS = 5
    port = connections[dbrouter.REPLICA].settings_dict["PORT"]
    yield connections[dbrouter.REPLICA]
    connections[dbrouter.REPLICA].close()
    connections[dbrouter.REPLICA].settings_dict["PORT"] = port
    dbrouter._health.checked_at = float("-inf")


def read_by(client: Client, path: str) -> tuple[int, set[str]]:
    """The page's status and which aliases read the articles table for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[dbrouter.REPLICA]) as replica,
    ):
        response = client.get(path)
    used = set()
    if any("articles_article" in q["sql"] for q in primary.captured_queries):
        used.add("primary")
    if any("articles_article" in q["sql"] for q in replica.captured_queries):
        used.add("replica")
    return response.status_code, used


@REPLICA_DB
def test_an_anonymous_readers_page_is_read_from_the_replica(replica):
    article = make_article()

    assert read_by(Client(), article.get_absolute_url()) == (200, {"replica"})
    assert read_by(Client(), "/") == (200, {"replica"})


@REPLICA_DB
def test_a_signed_in_or_guest_readers_page_is_read_from_the_primary(replica):
    article = make_article()

    assert read_by(signed_in(make_user()), article.get_absolute_url()) == (200, {"primary"})
    assert read_by(guest_client("b" * 32), article.get_absolute_url()) == (200, {"primary"})


@REPLICA_DB
def test_feeds_and_search_read_from_the_replica_whoever_asks(replica):
    make_article(headline="Harbour news")
    reader = signed_in(make_user())

    assert read_by(reader, "/feed/") == (200, {"replica"})
    assert read_by(reader, "/search/?q=harbour") == (200, {"replica"})
    assert read_by(reader, "/sitemap.xml") == (200, {"replica"})


@REPLICA_DB
def test_a_reader_who_just_wrote_reads_from_the_primary_for_a_few_seconds(replica, settings):
    article = make_article()
    reader = Client()
    # Any request that may write; this one is refused (no form), which changes nothing.
    reader.post(f"/comments/post/{article.pk}/", {})
    assert dbrouter.PIN_COOKIE in reader.cookies

    assert read_by(reader, article.get_absolute_url()) == (200, {"primary"})
    # Past DATABASE_REPLICA_PIN_SECONDS the same cookie no longer counts.
    settings.DATABASE_REPLICA_PIN_SECONDS = 0
    assert read_by(reader, article.get_absolute_url()) == (200, {"replica"})


@REPLICA_DB
def test_a_forged_pin_cookie_counts_for_nothing(replica):
    article = make_article()
    reader = Client()
    reader.cookies[dbrouter.PIN_COOKIE] = "1"

    assert read_by(reader, article.get_absolute_url()) == (200, {"replica"})


@REPLICA_DB
def test_a_replica_that_lags_past_the_bound_is_not_used(replica, settings):
    article = make_article()
    settings.DATABASE_REPLICA_MAX_LAG = -1  # any lag at all, even none, is too much

    assert read_by(Client(), article.get_absolute_url()) == (200, {"primary"})


@REPLICA_DB
def test_a_replica_that_is_down_is_not_used_and_readers_get_their_page(replica):
    article = make_article()
    connections[dbrouter.REPLICA].close()
    connections[dbrouter.REPLICA].settings_dict["PORT"] = free_port()  # nobody listens

    response = Client().get(article.get_absolute_url())

    assert response.status_code == 200
    assert article.headline in response.content.decode()


@REPLICA_DB
def test_a_replica_that_goes_away_between_checks_is_not_used(replica):
    article = make_article()
    assert read_by(Client(), article.get_absolute_url()) == (200, {"replica"})  # checked: fine
    connections[dbrouter.REPLICA].close()
    connections[dbrouter.REPLICA].settings_dict["PORT"] = free_port()

    response = Client().get(article.get_absolute_url())

    assert response.status_code == 200
    assert dbrouter._health.usable is False  # this process stops trying it until next check


@REPLICA_DB
def test_writes_always_go_to_the_primary(replica):
    router = dbrouter.ReplicaRouter()

    assert router.db_for_write(type(make_article())) == "default"
    assert router.allow_migrate(dbrouter.REPLICA, "articles") is False


@pytest.mark.django_db
def test_without_a_replica_nothing_changes():
    article = make_article()
    reader = Client()
    alias = connections.settings.pop(dbrouter.REPLICA, None)  # as without DATABASE_REPLICA_URL
    try:
        response = reader.get(article.get_absolute_url())
        reader.post(f"/comments/post/{article.pk}/", {})
    finally:
        if alias is not None:
            connections.settings[dbrouter.REPLICA] = alias

    assert response.status_code == 200
    assert dbrouter.PIN_COOKIE not in reader.cookies


def test_database_replica_url_adds_a_replica_that_tests_mirror():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "r = settings.DATABASES['replica']; print(r['PORT'], r['NAME'], r['TEST']['MIRROR'])"
    )
    env = {
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": "postgres://app@db1:5432/newsroom",
        "DATABASE_REPLICA_URL": "postgres://app@db2:5433/newsroom",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.split() == ["5433", "newsroom", "default"], out.stderr
