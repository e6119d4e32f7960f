"""With REDIS_URL, rate limits count in Redis (INCR and EXPIRE), shared by every app host.

Runs against the Redis server named by TEST_REDIS_URL (default: the machine's, on
127.0.0.1:6379, database 15) and is skipped when none answers: Redis is an option here,
never a requirement. Without it, limits count in PostgreSQL (tests/comments/test_shared_limits.py).
"""

import os

import pytest
from django.utils import timezone

from newsroom import ratelimit
from newsroom.models import Counter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_settings(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    settings.CACHE_KEY_PREFIX = f"newsroom-test-{os.getpid()}"
    ratelimit.clear()
    yield settings
    ratelimit.clear()
    ratelimit._redis.cache_clear()


def test_two_hosts_share_one_rate_limit_through_redis(redis_settings):
    rates = ratelimit.parse_rates("3/minute")
    now = timezone.now()
    identities = {"ip": "203.0.113.9"}
    results = []
    for _host in ("a", "b", "a", "b"):
        ratelimit._redis.cache_clear()  # a new connection, as another app host would have
        results.append(ratelimit.hit(identities, rates, now))
    assert results[:3] == [None, None, None]
    assert results[3] is not None and results[3].rate.count == 3
    assert not Counter.objects.exists()  # counted in Redis, not in PostgreSQL


def test_redis_counts_expire_with_their_window(redis_settings):
    ratelimit.hit({"ip": "203.0.113.10"}, ratelimit.parse_rates("3/minute"))
    client = ratelimit._redis(REDIS_URL)
    names = list(client.scan_iter(f"{redis_settings.CACHE_KEY_PREFIX}:rate:*"))
    assert len(names) == 1
    assert 0 < client.ttl(names[0]) <= 65
