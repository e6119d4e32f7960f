"""The signed-in account for the hot per-reader requests (the reader's layer,
comments/reader.py), read by one prepared statement (newsroom/prepared.py) instead of the
query Django's ``ModelBackend`` builds with the ORM on every request, which cost several
times what the database took to answer it.

``request_user`` decides exactly as ``django.contrib.auth.get_user`` does (the session's
account and backend, an active account, the session hash checked against the password's,
with the fallback secrets), and leaves to Django itself every case but the usual one: the
site's own account model, signed in through Django's ``ModelBackend``.
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
from django.utils.crypto import constant_time_compare

from newsroom.prepared import Prepared, fetch_together

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
_FIELDS = [field.attname for field in User._meta.concrete_fields]
_LOAD = Prepared(
    "newsroom_signed_in_user",
    "bigint",
    "SELECT {} FROM {} WHERE {} = $1".format(
        ", ".join(f'"{name}"' for name in _FIELDS),
        User._meta.db_table,
        User._meta.pk.column,
    ),
)


def request_user(request: HttpRequest):
    """``request.user``, loaded (and kept as ``request.user``) as Django would."""
    return request_user_with(request)[0]


def request_user_with(request: HttpRequest, together: Callable | None = None) -> tuple:
    """``request.user``, and the rows of ``together(user_id)`` (a statement and its
    parameters, for the account the session names) read in the same round trip as the
    account: None when that did not run (then the user is Django's own loading, or not
    signed in). The rows are only the reader's when the user returned is signed in."""
    if hasattr(request, "_cached_user"):
        return request._cached_user, None
    if get_user_model() is not User or MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return request.user, None  # pragma: no cover - Django's own way
    session = request.session
    rows = None
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        user = None
    else:
        if backend_path != MODEL_BACKEND:
            return request.user, None  # Django's own way, through the session's backend
        alias = router.db_for_read(User)
        statements = [(_LOAD, [user_id])]
        if together is not None:
            statements.append(together(user_id))
        results = fetch_together(connections[alias], statements)
        user = _verified(request, _active_user(alias, results[0]))
        if together is not None and user is not None and user.pk == user_id:
            rows = results[1]
    request._cached_user = user or AnonymousUser()
    request.user = request._cached_user
    return request.user, rows


def _active_user(alias: str, rows: list[tuple]) -> User | None:
    """``ModelBackend.get_user``: the account, when it may sign in (is active)."""
    if not rows:
        return None
    user = User.from_db(alias, _FIELDS, rows[0])
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
