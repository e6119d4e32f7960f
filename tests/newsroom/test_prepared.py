"""Prepared statements (newsroom/prepared.py) are a request's health check of its kept
connection: no ``SELECT 1`` round trip before them, and a connection found broken is
replaced and the statements run again, as after Django's own check."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import DataError, connection

from newsroom.prepared import Prepared, fetch_together

pytestmark = pytest.mark.django_db(transaction=True)

_ANSWER = Prepared("newsroom_test_answer", "int", "SELECT $1 + 1")
_BROKEN = Prepared("newsroom_test_broken", "int", "SELECT 1 / $1")


@pytest.fixture
def health_checks(settings):
    """A kept connection at the start of a request, health checks on (as in production)."""
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.ensure_connection()
    connection.health_check_enabled = True

    def new_request() -> None:
        connection.health_check_done = False

    return new_request


def checks(monkeypatch) -> list[bool]:
    made = []
    original = connection.is_usable

    def is_usable() -> bool:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(connection, "is_usable", is_usable)
    return made


def drop_the_connection() -> int:
    """End the server's side of the kept connection, as a server restart does; its pid."""
    pid = connection.connection.info.backend_pid
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    return pid


def test_the_statements_are_the_requests_health_check(health_checks, monkeypatch):
    made = checks(monkeypatch)
    health_checks()

    assert _ANSWER.fetchall(connection, [41]) == [(42,)]

    assert made == []  # no SELECT 1 of its own
    assert connection.health_check_done  # nor one later in the request


def test_a_connection_the_server_dropped_is_replaced_and_the_statements_run_again(
    health_checks, monkeypatch
):
    assert _ANSWER.fetchall(connection, [1]) == [(2,)]  # prepared on this connection
    old = drop_the_connection()
    made = checks(monkeypatch)
    health_checks()

    assert fetch_together(connection, [(_ANSWER, [41]), (_ANSWER, [1])]) == [[(42,)], [(2,)]]

    assert made == [False]
    assert connection.connection.info.backend_pid != old


def test_an_error_of_the_statements_own_is_raised_not_retried(health_checks, monkeypatch):
    made = checks(monkeypatch)
    health_checks()

    with pytest.raises(DataError):  # division by zero
        fetch_together(connection, [(_ANSWER, [1]), (_BROKEN, [0])])

    assert made == [True]


def test_a_cache_read_is_its_requests_health_check_too(health_checks, monkeypatch):
    """A shared copy's one read (newsroom/cache.py) stands in for the check the same way."""
    cache.set("probe", "kept")
    made = checks(monkeypatch)
    health_checks()
    assert cache.get("probe") == "kept"
    assert made == []
    old = drop_the_connection()
    health_checks()

    assert cache.get_many(["probe", "absent"]) == {"probe": "kept"}

    assert made == [False]
    assert connection.connection.info.backend_pid != old


_PLAIN = Prepared("newsroom_test_plain", "int, text", "SELECT $1 + $1, $2 || '%'")


def test_without_prepared_statements_the_same_rows_come_from_plain_sql(settings):
    """For a pooler in transaction mode, which keeps no session state between transactions:
    nothing is prepared, and the values are bound in place (a parameter used twice, and a
    literal percent sign, included)."""
    settings.DATABASE_PREPARED_STATEMENTS = False
    rows = fetch_together(connection, [(_PLAIN, [20, "50"]), (_ANSWER, [1])])
    assert rows == [[(40, "50%")], [(2,)]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = 'newsroom_test_plain'"
        )
        assert cursor.fetchone() == (0,)
