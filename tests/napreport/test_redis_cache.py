from napreport.redis_cache import RedisCache


def test_the_redis_client_is_built_once_and_reused():
    cache = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is made until a command is sent
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: reads and writes share its pool
