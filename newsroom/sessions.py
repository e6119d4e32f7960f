"""Django's database sessions (``SESSION_ENGINE``) in ``newsroom.models.Session``: Django's
session table with one more column, the account the session is signed in to
(``user_id``), written from the session's data on every save. With it, a signed-in
reader's session, account and page layer are read in one round trip
(newsroom/signed_in.py, the reader's layer in comments/reader.py), keyed by the session's
key alone.

A session is loaded by one prepared statement (newsroom/prepared.py) instead of a query the
ORM builds on every request, which cost several times what the database took to answer it.
Saving, expiry and everything else are Django's own."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from newsroom.prepared import Prepared

# newsroom.Session's table, named here for the statements written out below.
TABLE = "newsroom_session"


def live_session_sql(columns: str, key: str, now: str) -> str:
    """A query of ``columns`` of the live session named by the parameter ``key`` (expiring
    after the parameter ``now``): Django's rule for a session that may be loaded, written
    once for every statement that reads one."""
    return f"SELECT {columns} FROM {TABLE} WHERE session_key = {key} AND expire_date > {now}"


_LOAD = Prepared(
    "newsroom_session_load",
    "text, timestamptz",
    live_session_sql("session_data, expire_date", "$1", "$2"),
)


def account_id(data: dict) -> int | None:
    """The account a session's data is signed in to (what ``login`` stored), or None."""
    value = data.get(SESSION_KEY)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return apps.get_model("newsroom", "Session")

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = account_id(data)
        return instance

    async def acreate_model_instance(self, data):
        instance = await super().acreate_model_instance(data)
        instance.user_id = account_id(data)
        return instance

    def _get_session_from_db(self):
        rows = []
        if self.session_key is not None:
            connection = connections[router.db_for_read(self.model)]
            rows = _LOAD.fetchall(connection, [self.session_key, timezone.now()])
        if not rows:
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return self.model(session_key=self.session_key, session_data=data, expire_date=expire_date)

    @property
    def loaded(self) -> bool:
        """Whether the session's data has been read (or found absent) in this request."""
        return hasattr(self, "_session_cache")

    def load_from(self, session_data: str | None) -> dict:
        """Take the session's data as read elsewhere (by the same rule as ``load``: None when
        there is no live session by this key), instead of reading it again, and return it."""
        self.accessed = True
        if session_data is None:
            self._session_key = None
            self._session_cache = {}
        else:
            self._session_cache = self.decode(session_data)
        return self._session_cache
