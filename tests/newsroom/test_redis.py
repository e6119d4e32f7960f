"""With REDIS_URL, every app host shares one cache: rate limits count across hosts.

Runs against the Redis server named by TEST_REDIS_URL (default: the machine's, on
127.0.0.1:6379, database 15) and is skipped when none answers: Redis is an option here,
never a requirement.
"""

import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from comments.moderation import ratelimit

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_settings(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    yield settings
    caches["default"].clear()


def test_two_hosts_share_one_rate_limit_through_redis(redis_settings):
    # Two separate cache clients stand for two app hosts.
    host_a = RedisCache(REDIS_URL, {})
    host_b = RedisCache(REDIS_URL, {})
    rates = ratelimit.parse_rates("3/minute")
    now = timezone.now()
    identities = {"ip": "203.0.113.9"}
    original = ratelimit.cache
    try:
        results = []
        for host in (host_a, host_b, host_a, host_b):
            ratelimit.cache = host
            results.append(ratelimit.hit(identities, rates, now))
    finally:
        ratelimit.cache = original
    assert results[:3] == [None, None, None]
    assert results[3] is not None and results[3].rate.count == 3
