"""Reads that may be a little stale go to a streaming replica; everything else to the primary.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and this router
sends it the reads of a request that may be stale: a GET or HEAD of a page every anonymous
reader shares (no session, guest or messages cookie), a feed, the sitemap or a search. The
rest — writes, every read of a request that writes, signed-in and guest readers' pages, the
cache table, sessions, sign-in lockouts, counters and the task queue — goes to the primary.
Without it, nothing changes.

Read-your-writes: a request that may write (any method but GET, HEAD, OPTIONS) gives the
browser a signed cookie that keeps its reads on the primary for
``DATABASE_REPLICA_PIN_SECONDS``; the edge passes requests that carry it.

Fallback: the replica is used only while it answers and keeps up. Its lag is measured at most
every ``DATABASE_REPLICA_CHECK_SECONDS`` per process (a per-host health observation, so
process memory is the right place): past ``DATABASE_REPLICA_MAX_LAG`` seconds, or on a
connection error, requests read from the primary until the next check says otherwise.

Shared copies are never rendered from data older than their version: every visible change
records the primary's WAL position (``note_change``) before it bumps the page versions, and a
request reads from the replica only once the replica has replayed past the last one recorded
(one small query, on the first read). So a page stored at the edge or in the page cache after
a purge has the change in it, even while the replica is a moment behind.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from newsroom.edge import is_shared

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
PIN_COOKIE = "newsroom_primary"
PIN_SALT = "newsroom.dbrouter.pin"
# The apps whose tables a page reads. Everything else (the cache table, sessions, django-axes,
# rate-limit counters, the task queue, the admin's log) stays on the primary.
REPLICA_APPS = frozenset({"articles", "comments", "auth", "contenttypes"})
# Views whose reads may be stale whoever asks.
STALE_VIEWS = frozenset(
    {"articles:feed", "articles:search", "django.contrib.sitemaps.views.sitemap"}
)
CHANGE_KEY = "dbrouter:change-lsn"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class _Request:
    may_be_stale: bool
    alias: str | None = None  # chosen at the first read


@dataclass
class _Health:
    checked_at: float = float("-inf")
    usable: bool = False


_request: ContextVar[_Request | None] = ContextVar("newsroom_dbrouter_request", default=None)
_health = _Health()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _forget_replica_connection() -> None:
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def replica_usable() -> bool:
    """Whether the replica answers and keeps up, measured at most every
    ``DATABASE_REPLICA_CHECK_SECONDS`` in this process."""
    now = time.monotonic()
    if now - _health.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return _health.usable
    _health.checked_at = now
    try:
        with connections[REPLICA].cursor() as cursor:
            # Caught up (everything received is replayed) is no lag, however long ago the
            # last transaction was; otherwise the age of the last one replayed.
            cursor.execute(
                "SELECT CASE WHEN NOT pg_is_in_recovery()"
                " OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)"
                " END"
            )
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Database replica unavailable, reading from the primary: %s", error)
        _forget_replica_connection()
        _health.usable = False
        return False
    _health.usable = float(lag) <= settings.DATABASE_REPLICA_MAX_LAG
    if not _health.usable:
        logger.warning("Database replica %.1f s behind, reading from the primary", lag)
    return _health.usable


def note_change() -> None:
    """Record the primary's WAL position after a visible change commits (call it before the
    change bumps any page version): later reads go to the replica only once it has replayed
    this far."""
    if not replica_configured():
        return
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (lsn,) = cursor.fetchone()
        cache.set(CHANGE_KEY, lsn, timeout=None)
    except Exception:  # the database or the cache is away: then nothing is rendered either
        logger.warning("Could not record the change's WAL position", exc_info=True)


def _replica_has_last_change() -> bool:
    lsn = cache.get(CHANGE_KEY) or "0/0"
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
        )
        (fresh,) = cursor.fetchone()
    return bool(fresh)


def _choose() -> str:
    if not replica_usable():
        return PRIMARY
    try:
        fresh = _replica_has_last_change()
    except DatabaseError as error:
        # Gone since the last check: say so at once, so this process stops trying it.
        logger.warning("Database replica unavailable, reading from the primary: %s", error)
        _forget_replica_connection()
        _health.usable, _health.checked_at = False, time.monotonic()
        return PRIMARY
    except Exception:  # the cache is away: the primary is always up to date
        return PRIMARY
    return REPLICA if fresh else PRIMARY


class ReplicaRouter:
    """Sends the reads of a request that may be stale to the replica (see the module)."""

    def db_for_read(self, model: type, **hints) -> str | None:
        state = _request.get()
        if state is None or not state.may_be_stale:
            return None
        if model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        if state.alias is None:
            state.alias = _choose()
        return state.alias

    def db_for_write(self, model: type, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == PRIMARY


def pinned(request: HttpRequest) -> bool:
    """True while the reader's last write is recent: their reads stay on the primary."""
    value = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.DATABASE_REPLICA_PIN_SECONDS
    )
    return value is not None


def may_be_stale(request: HttpRequest) -> bool:
    """Whether this request's reads may come from the replica."""
    if request.method not in ("GET", "HEAD") or pinned(request):
        return False
    if is_shared(request):
        return True
    try:
        return resolve(request.path_info).view_name in STALE_VIEWS
    except Resolver404:
        return False


class ReplicaMiddleware:
    """Decides, per request, whether its reads may go to the replica, and pins a reader who
    may have written to the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        token = _request.set(_Request(may_be_stale=may_be_stale(request)))
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
