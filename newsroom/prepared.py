"""Prepared statements for the few queries a hot path makes on every request (the reader's
layer, comments/selectors.py): PostgreSQL plans them once per connection, and Python builds
no query. A statement is prepared on a connection the first time it is used there, through
the driver's own cursor, as setup of the connection (like Django's own ``SET`` on connect),
so the request's one ``EXECUTE`` is its only query, and the one Django's query log shows.
Prepared statements outlive transactions and rollbacks; a new connection prepares afresh.

A prepared statement is state of the database session, which a pooler in transaction mode
(PgBouncer's ``pool_mode = transaction``) does not keep: with ``DATABASE_PREPARED_STATEMENTS``
off, the same statements are sent as plain SQL, the driver binding their values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import psycopg
from django.conf import settings
from django.db import Error
from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")
_PARAMETER = re.compile(r"\$([0-9]+)")


class Prepared:
    """``PREPARE name (types) AS sql`` (its parameters ``$1``, ``$2``, ...), executed with
    ``fetchall``. The name must be unique to the statement."""

    def __init__(self, name: str, types: str, sql: str) -> None:
        self.name = name
        self.types = [part.strip() for part in types.split(",")]
        self.sql = sql
        self._execute = "EXECUTE {}({})".format(
            name, ", ".join(f"%s::{kind}" for kind in self.types)
        )
        # Unprepared: each ``$n`` bound in place by the driver, in the order they appear.
        self._order = [int(number) - 1 for number in _PARAMETER.findall(sql)]
        self._plain = _PARAMETER.sub(
            lambda match: f"%s::{self.types[int(match.group(1)) - 1]}", sql.replace("%", "%%")
        )

    def _prepare(self, connection: BaseDatabaseWrapper) -> None:
        connection.ensure_connection()
        raw = connection.connection
        prepared = getattr(connection, "_newsroom_prepared", None)
        if prepared is None or prepared[0] is not raw:
            prepared = (raw, set())
            connection._newsroom_prepared = prepared
            with raw.cursor() as cursor:
                # These statements look rows up by keys: one plan fits every value, so
                # PostgreSQL keeps the generic plan rather than plan each call again. Django
                # prepares nothing itself (it binds values on the client), so only these are
                # concerned. (Set inside a transaction later rolled back, the setting goes,
                # and the statements are planned per call again: slower, not different.)
                cursor.execute("SET plan_cache_mode = force_generic_plan")
        if self.name not in prepared[1]:
            with raw.cursor() as cursor:
                # A connection Django took over from elsewhere may hold it already.
                cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [self.name])
                if cursor.fetchone() is None:
                    cursor.execute(f"PREPARE {self.name} ({', '.join(self.types)}) AS {self.sql}")
            prepared[1].add(self.name)

    def fetchall(self, connection: BaseDatabaseWrapper, params: list) -> list[tuple]:
        return fetch_together(connection, [(self, params)])[0]


def fetch_together(
    connection: BaseDatabaseWrapper, statements: list[tuple[Prepared, list]]
) -> list[list[tuple]]:
    """Each statement's rows, the statements sent to the database at once (one round trip,
    one query in Django's log); they only read, so they may be the request's health check
    (``read_checking_connection``)."""
    if connection.vendor != "postgresql":  # pragma: no cover - the project runs on PostgreSQL
        raise NotImplementedError("Prepared statements are written for PostgreSQL.")
    return read_checking_connection(connection, lambda: _fetch(connection, statements))


def read_checking_connection(connection: BaseDatabaseWrapper, read: Callable[[], T]) -> T:
    """``read()``, which only reads (so may run twice), as the request's health check of a
    kept connection (``CONN_HEALTH_CHECKS``) when it is the request's first use of it:
    Django's check would cost a round trip of its own (``SELECT 1``) before it. On a
    connection found broken it runs again, once, on a new one, as it would have after
    Django's check."""
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not checking:
        return read()
    connection.health_check_done = True
    try:
        return read()
    except (Error, psycopg.Error):
        if connection.is_usable():
            raise  # not the connection: the error is the read's own
    connection.close()
    return read()


def _fetch(
    connection: BaseDatabaseWrapper, statements: list[tuple[Prepared, list]]
) -> list[list[tuple]]:
    if settings.DATABASE_PREPARED_STATEMENTS:
        for statement, _params in statements:
            statement._prepare(connection)
        sql = "; ".join(statement._execute for statement, _params in statements)
        values = [value for _statement, params in statements for value in params]
    else:
        sql = "; ".join(statement._plain for statement, _params in statements)
        values = [params[i] for statement, params in statements for i in statement._order]
    results = []
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        results.append(cursor.fetchall())
        while cursor.nextset():
            results.append(cursor.fetchall())
    return results
