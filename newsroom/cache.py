"""The database cache, with culling that never touches the page cache's version keys.

Django's ``DatabaseCache`` culls a full table by deleting the first third of its keys in
alphabetical order, whatever they are: a flood of cached pages could push out the versions
every article page is checked against (``newsroom.pagecache``). This one deletes only expired
entries, then the entries closest to expiry, never a key under ``PROTECTED_PREFIX``; version
keys never expire, so nothing else removes them either. A page entry and its versions stay in
one table, so a shared copy is still served in one query.

(With Redis, the same holds by the eviction policy: version keys have no time to live, page
entries do, and ``maxmemory-policy volatile-lru`` evicts only keys with one; deploy/README.md.)
"""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router

from newsroom.prepared import read_checking_connection

# Keys (before Django's prefix and version are added) that culling spares.
PROTECTED_PREFIX = "pagecache:version:"


class DatabaseCache(DjangoDatabaseCache):
    def get_many(self, keys, version=None) -> dict:
        # A shared copy's read is often its request's only use of the database: it stands
        # in for the connection's health check instead of following one.
        connection = connections[router.db_for_read(self.cache_model_class)]
        read = super().get_many
        return read_checking_connection(connection, lambda: read(keys, version))

    def _cull(self, db, cursor, now, num) -> None:
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        cursor.execute(
            f"DELETE FROM {table} WHERE expires < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )
        remaining = num - cursor.rowcount
        if remaining <= self._max_entries:
            return
        protected = self.make_key(PROTECTED_PREFIX)
        cull = max(remaining // max(self._cull_frequency, 1), remaining - self._max_entries)
        cursor.execute(
            f"DELETE FROM {table} WHERE cache_key IN (SELECT cache_key FROM {table} "
            "WHERE left(cache_key, %s) <> %s ORDER BY expires LIMIT %s)",
            [len(protected), protected, cull],
        )
