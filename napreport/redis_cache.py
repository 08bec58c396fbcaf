"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django builds a new `redis.Redis` for every cache call; with redis-py 8 that costs about 0.1 ms, more than
the round trip to Redis itself, and the public pages make one such call per request (napreport.public.caching).
The client holds no state of its own beyond its connection pool, so it is safe to reuse.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = super().get_client(key, write=write)
        return self._clients[index]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
