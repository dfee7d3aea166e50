"""The cache backend (settings.CACHES with Redis): Django's RedisCache, with one redis-py client per
connection pool instead of a new one for every cache call. Django's `RedisCacheClient.get_client`
builds a `redis.Redis` (and its table of ~170 response callbacks) on each call, ~50 µs, twice per
request on a page that reads a cached result (the reports). A `redis.Redis` over a pool is safe to
share between threads (each command takes a connection from the pool), so one per pool is kept;
the servers, the pools and everything the client sends are Django's."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class Cache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
