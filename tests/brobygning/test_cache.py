"""The Redis cache backend (brobygning/cache.py): Django's RedisCache, one redis-py client per pool."""

import os

import pytest
from django.core.cache.backends.redis import RedisCache

from brobygning.cache import Cache

URL = "redis://127.0.0.1:6379/0"  # only a client is made: no server is asked


def test_one_client_per_pool_where_django_makes_one_per_call():
    cache = Cache(URL, {})
    assert cache._cache.get_client("a") is cache._cache.get_client("b", write=True)
    django = RedisCache(URL, {})
    assert django._cache.get_client("a") is not django._cache.get_client("a")
    several = Cache(f"{URL};{URL}", {})  # writes to the first server, reads from the others
    assert several._cache.get_client("a", write=True) is not several._cache.get_client("a")
    assert several._cache.get_client("a") is several._cache.get_client("b")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server: set REDIS_URL")
def test_it_stores_and_reads_as_djangos():
    url = os.environ["REDIS_URL"]
    cache = Cache(url, {"KEY_PREFIX": "test-brobygning-cache"})
    cache.set("nøgle", {"a": [1, "æ"]}, 30)
    try:
        assert RedisCache(url, {"KEY_PREFIX": "test-brobygning-cache"}).get("nøgle") == {"a": [1, "æ"]}
        assert cache.get("nøgle") == {"a": [1, "æ"]} and cache.get("ingen") is None
    finally:
        cache.delete("nøgle")
