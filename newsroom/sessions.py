"""Django's database sessions, loaded by one prepared statement (newsroom/prepared.py)
instead of a query the ORM builds on every request: a signed-in reader's every request loads
the session, and building that query cost several times what the database took to answer it
(the reader's layer, comments/reader.py, is meant to cost about two query-less requests).
Saving, expiry and everything else are Django's own (``SESSION_ENGINE``)."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from newsroom.prepared import Prepared

_LOAD = Prepared(
    "newsroom_session_load",
    "text, timestamptz",
    "SELECT session_data, expire_date FROM django_session"
    " WHERE session_key = $1 AND expire_date > $2",
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if self.model._meta.db_table != "django_session":  # pragma: no cover - a custom model
            return super()._get_session_from_db()
        rows = []
        if self.session_key is not None:
            connection = connections[router.db_for_read(self.model)]
            rows = _LOAD.fetchall(connection, [self.session_key, timezone.now()])
        if not rows:
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return self.model(session_key=self.session_key, session_data=data, expire_date=expire_date)
