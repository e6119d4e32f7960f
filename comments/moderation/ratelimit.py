"""Fixed-window rate limits kept in Django's cache, shared by every app host through Redis.

Each limit is a count per window ("5/minute"); a window is the current minute (or hour...)
since the epoch, so every host agrees on it. Counting is ``cache.add`` then ``cache.incr``,
both atomic in Redis and in the local-memory cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

UNITS = {"second": 1, "minute": 60, "hour": 60 * 60, "day": 24 * 60 * 60}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@lru_cache(maxsize=16)
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
                f"COMMENTS_RATE_LIMITS: {part!r} is not like '5/minute' (units: {', '.join(UNITS)})"
            )
        rates.append(Rate(int(count), UNITS[unit]))
    return tuple(rates)


@dataclass(frozen=True)
class Exceeded:
    rate: Rate
    retry_after: int  # seconds until the window that refused ends


def _key(scope: str, identity: str, rate: Rate, window: int) -> str:
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    return f"comments:rate:{digest}:{rate.seconds}:{window}"


def _increment(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
        return 1


def hit(identities: dict[str, str], rates: tuple[Rate, ...], now: datetime) -> Exceeded | None:
    """Count one attempt for every identity (``{"ip": "203.0.113.7", "who": "user:4"}``) in
    every rate; return the tightest limit exceeded, or None when all are within bounds."""
    stamp = int(now.timestamp())
    exceeded: Exceeded | None = None
    for scope, identity in identities.items():
        if not identity:
            continue
        for rate in rates:
            window = stamp // rate.seconds
            count = _increment(_key(scope, identity, rate, window), rate.seconds + 5)
            if count > rate.count:
                retry_after = (window + 1) * rate.seconds - stamp
                if exceeded is None or retry_after > exceeded.retry_after:
                    exceeded = Exceeded(rate, retry_after)
    return exceeded
