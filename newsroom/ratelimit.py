"""Fixed-window rate limits that every gunicorn worker and every app host share.

Each limit is a count per window ("5/minute"); a window is the current minute (or hour...)
since the epoch, so every process agrees on it. Counts live in PostgreSQL (``Counter``: one
atomic ``INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING`` per hit), or in Redis
(``INCR`` and ``EXPIRE``) when ``REDIS_URL`` is set. Never in local memory: gunicorn's
workers would each keep their own count and multiply the limit.

The default cache is not used either: Django's database cache has no atomic increment.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from newsroom.models import Counter

UNITS = {"second": 1, "minute": 60, "hour": 60 * 60, "day": 24 * 60 * 60}
# Expired windows deleted at a time, whenever some key opens a new window.
PURGE_BATCH = 500


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@lru_cache(maxsize=32)
def parse_rates(text: str) -> tuple[Rate, ...]:
    """``"5/minute,30/hour"`` → two rates. An empty text means no limits."""
    rates = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        count, _, unit = part.partition("/")
        unit = unit.strip().lower().removesuffix("s")
        if not count.strip().isdigit() or unit not in UNITS:
            raise ImproperlyConfigured(
                f"Rate {part!r} is not like '5/minute' (units: {', '.join(UNITS)})"
            )
        rates.append(Rate(int(count), UNITS[unit]))
    return tuple(rates)


@dataclass(frozen=True)
class Exceeded:
    rate: Rate
    retry_after: int  # seconds until the window that refused ends


def email_identity(email: str) -> str:
    """The mailbox an address reaches, as limits count it: lower-cased, without a
    ``+tag`` and without dots in the local part, ``googlemail.com`` as ``gmail.com``. Many
    providers deliver ``ada+1@``, ``a.da@`` and ``ada@`` to one inbox, so a limit per email
    must not see them as three people (merging a few real addresses only tightens it)."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local:
        return email.strip().lower()
    local = local.split("+", 1)[0].replace(".", "")
    domain = {"googlemail.com": "gmail.com"}.get(domain, domain)
    return f"{local}@{domain}"


def _key(scope: str, identity: str, rate: Rate) -> str:
    # Hashed: addresses and emails never sit in the counter table or in Redis in clear.
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:40]
    return f"rate:{digest}:{rate.seconds}"


# --- Stores ----------------------------------------------------------------------------------

_UPSERT = f"""
    INSERT INTO {Counter._meta.db_table} (key, "window", count, expires_at)
    VALUES (%s, %s, 1, %s)
    ON CONFLICT (key, "window") DO UPDATE SET count = {Counter._meta.db_table}.count + 1
    RETURNING count
"""
_PURGE = f"""
    DELETE FROM {Counter._meta.db_table} WHERE id IN (
        SELECT id FROM {Counter._meta.db_table} WHERE expires_at < %s LIMIT {PURGE_BATCH}
    )
"""


def _increment_postgres(key: str, window: int, expires_at: datetime, now: datetime) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, window, expires_at])
        (count,) = cursor.fetchone()
        if count == 1:  # a new window opened: sweep old ones
            cursor.execute(_PURGE, [now])
    return count


@lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def _increment_redis(key: str, window: int, ttl: int) -> int:
    client = _redis(settings.REDIS_URL)
    name = f"{settings.CACHE_KEY_PREFIX}:{key}:{window}"
    pipe = client.pipeline()
    pipe.incr(name)
    pipe.expire(name, ttl)
    count, _ = pipe.execute()
    return int(count)


def increment(key: str, *, seconds: int, now: datetime) -> int:
    """Count one hit on ``key`` in the current ``seconds``-long window; returns the count."""
    stamp = int(now.timestamp())
    window = stamp // seconds
    if settings.REDIS_URL:
        return _increment_redis(key, window, seconds + 5)
    expires_at = datetime.fromtimestamp((window + 1) * seconds, tz=UTC) + timedelta(seconds=5)
    return _increment_postgres(key, window, expires_at, now)


def clear() -> None:
    """Forget every count (tests; an operator lifting all limits at once)."""
    if settings.REDIS_URL:
        client = _redis(settings.REDIS_URL)
        for name in client.scan_iter(f"{settings.CACHE_KEY_PREFIX}:rate:*"):
            client.delete(name)
    Counter.objects.all().delete()


# --- Limits ----------------------------------------------------------------------------------


def hit(
    identities: dict[str, str], rates: tuple[Rate, ...], now: datetime | None = None
) -> Exceeded | None:
    """Count one attempt for every identity (``{"ip": "203.0.113.7", "who": "user:4"}``) in
    every rate; return the tightest limit exceeded, or None when all are within bounds."""
    now = now or timezone.now()
    stamp = int(now.timestamp())
    exceeded: Exceeded | None = None
    for scope, identity in identities.items():
        if not identity:
            continue
        for rate in rates:
            count = increment(_key(scope, identity, rate), seconds=rate.seconds, now=now)
            if count > rate.count:
                retry_after = (stamp // rate.seconds + 1) * rate.seconds - stamp
                if exceeded is None or retry_after > exceeded.retry_after:
                    exceeded = Exceeded(rate, retry_after)
    return exceeded
