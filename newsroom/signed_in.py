"""The signed-in account for the hot per-reader requests (the reader's layer,
comments/reader.py): the session, its account and the request's own rows read by one
statement, keyed by the session's key (newsroom/sessions.py keeps each session's account
beside its data), prepared (newsroom/prepared.py) instead of the queries Django's session
store and ``ModelBackend`` build with the ORM.

What is read is then checked in Python exactly as ``django.contrib.auth.get_user`` checks
it: the session's data must decode and name the account through Django's ``ModelBackend``,
the account must be active, and the session's hash must match the password's (with the
fallback secrets); the account column must agree with the data. Anything else is left to
Django itself (the rows read together are then not returned), and a session that fails a
check signs no one in.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.models import AnonymousUser, User
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from newsroom import sessions
from newsroom.prepared import Prepared, fetch_together

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
_FIELDS = [field.attname for field in User._meta.concrete_fields]
# The columns of ``session_sql``: the session's data, its account column, the account's.
SESSION_COLUMNS = 2 + len(_FIELDS)


def session_sql(key: str, now: str) -> str:
    """A query of the live session by the parameter ``key`` (at ``now``) and the account its
    column names (none: NULLs), in ``SESSION_COLUMNS`` columns."""
    account = ", ".join(f'u."{name}"' for name in _FIELDS)
    session = sessions.live_session_sql("session_data, user_id", key, now)
    return (
        f"SELECT s.session_data, s.user_id, {account} FROM ({session}) s"
        f" LEFT JOIN {User._meta.db_table} u ON u.{User._meta.pk.column} = s.user_id"
    )


_LOAD = Prepared("newsroom_signed_in_session", "text, timestamptz", session_sql("$1", "$2"))


def request_user_with(
    request: HttpRequest, together: Callable[[str], tuple[Prepared, list]] | None = None
) -> tuple:
    """``request.user`` (loaded, and kept as ``request.user``, as Django would), and the
    rows of ``together(session_key)``: a statement keyed by the session's key, and its
    parameters, that reads the session and its account itself (one row with
    ``session_sql``'s columns first, NULL in its own) beside rows of its own, for the account
    of the live session by that key (``SESSION_COLUMNS`` NULLs first), so all come in one
    round trip. Its own rows are returned (without those NULLs), and only if the user
    returned is signed in by that session; they are then that account's, since a session's
    key never changes accounts (``login`` gives a session a new key, ``logout`` deletes
    it)."""
    if hasattr(request, "_cached_user"):
        return request._cached_user, None
    session = request.session
    if (
        get_user_model() is not User
        or MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS
        or not isinstance(session, sessions.SessionStore)
        or session.loaded
        or session.session_key is None
    ):
        return request.user, None  # Django's own way (or no session: anonymous, no query)
    key = session.session_key
    alias = router.db_for_read(session.model)  # where the session is read (the primary)
    statement = (_LOAD, [key, timezone.now()]) if together is None else together(key)
    read = fetch_together(connections[alias], [statement])[0]
    # The session's row is the one with its data (a column never NULL); no more than one.
    found = [row[:SESSION_COLUMNS] for row in read if row[0] is not None]
    row = found[0] if found else None
    data = session.load_from(row[0] if row else None)
    try:
        user_id = User._meta.pk.to_python(data[SESSION_KEY])
        backend_path = data[BACKEND_SESSION_KEY]
    except KeyError:
        user = None  # no one signed in
    else:
        if backend_path != MODEL_BACKEND or row[1] != user_id:
            # Another backend's account, or a column that disagrees with the data: Django
            # loads the account the data names, and nothing read here is used.
            return request.user, None
        user = _verified(request, _active_user(alias, row[2:]))
    request._cached_user = user or AnonymousUser()
    request.user = request._cached_user
    if together is None or user is None:
        return request.user, None
    return request.user, [row[SESSION_COLUMNS:] for row in read if row[0] is None]


def _active_user(alias: str, row: tuple) -> User | None:
    """``ModelBackend.get_user``: the account, when there is one and it may sign in (is
    active)."""
    if row[0] is None:
        return None
    user = User.from_db(alias, _FIELDS, row)
    return user if getattr(user, "is_active", True) else None


def _verified(request: HttpRequest, user: User | None) -> User | None:
    """The session's hash checked as ``django.contrib.auth.get_user`` checks it: a session
    from before the password changed is flushed; one signed with a fallback secret moves to
    the current one."""
    if user is None:
        return None
    session = request.session
    session_hash = session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = session_auth_hash
        return user
    session.flush()
    return None
