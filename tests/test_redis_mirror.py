"""The page cache's reads through Redis, answered from a process's copy that
Redis invalidates (caching.mirror).

Against a redis-server of the suite's own (tests/faults/services.py), so that
it can be stopped and started; "another process" is a second connection that
never shares the reader's copy. tests/stack/test_redis_mirror_processes.py
does the same with gunicorn and a moderator's ``manage.py shell``.
"""

import time

import pytest
import redis

from caching import backend as cache_backend
from caching.backend import ResilientRedisCache
from caching.mirror import Mirror, TrackedReader
from tests.faults.services import PrivateRedis


@pytest.fixture(scope="module")
def server():
    running = PrivateRedis()
    running.start()
    yield running
    running.remove()


@pytest.fixture
def quick_retry(monkeypatch):
    monkeypatch.setattr(cache_backend, "RETRY_SECONDS", 0.2)


def make_cache(server, **mirror) -> ResilientRedisCache:
    mirror.setdefault("seconds", 60)  # only Redis's messages may end a copy
    cache = ResilientRedisCache(
        server.url, {"KEY_PREFIX": "mirror-test", "MIRROR": mirror}
    )
    redis.Redis(port=server.port).flushdb()
    return cache


def mgets(server) -> int:
    """MGETs the server has answered so far."""
    stats = redis.Redis(port=server.port).info("commandstats")
    return stats.get("cmdstat_mget", {}).get("calls", 0)


def other_client(server) -> redis.Redis:
    return redis.Redis(port=server.port)


def store_elsewhere(server, cache, key: str, value: bytes) -> None:
    """Store ``value`` as the cache would, from another connection."""
    dumped = cache._cache._serializer.dumps(value)
    other_client(server).set(cache.make_key(key), dumped)


def test_an_unchanged_page_is_answered_without_asking_redis(server):
    cache = make_cache(server)
    cache.set("page", b"<html>v1</html>")
    cache.set("epoch", 3)
    assert cache.get_values(["page", "epoch"]) == [b"<html>v1</html>", 3]
    asked = mgets(server)

    for _ in range(50):
        assert cache.get_values(["page", "epoch"]) == [b"<html>v1</html>", 3]

    assert mgets(server) == asked


def test_a_change_by_another_client_is_seen_on_the_next_read(server):
    cache = make_cache(server)
    cache.set("page", b"v1")
    cache.set("epoch", 3)
    cache.get_values(["page", "epoch"])

    # A purge from another process: the epoch moves on.
    other_client(server).incr(cache.make_key("epoch"))
    assert cache.get_values(["page", "epoch"]) == [b"v1", 4]
    # A page stored again by another process.
    other_client(server).set(
        cache.make_key("page"), cache._cache._serializer.dumps(b"v2")
    )
    assert cache.get_values(["page", "epoch"]) == [b"v2", 4]
    # Deleted, expired or flushed: gone here too.
    other_client(server).delete(cache.make_key("page"))
    assert cache.get_values(["page", "epoch"]) == [None, 4]
    other_client(server).flushdb()
    assert cache.get_values(["page", "epoch"]) == [None, None]


def test_a_key_that_was_missing_is_seen_once_stored(server):
    """A reader waiting for another's render (caching.coalesce) polls a key
    that is not there yet: the copy of "missing" must end when it is stored."""
    cache = make_cache(server)
    assert cache.get_values(["page"]) == [None]
    cache.set("page", b"rendered")
    assert cache.get_values(["page"]) == [b"rendered"]


def test_a_copy_is_read_again_after_its_seconds(server):
    cache = make_cache(server, seconds=0.05)
    cache.set("page", b"v1")
    cache.get_values(["page"])
    asked = mgets(server)
    time.sleep(0.06)
    assert cache.get_values(["page"]) == [b"v1"]
    assert mgets(server) == asked + 1


def test_seconds_zero_reads_redis_every_time(server):
    cache = make_cache(server, seconds=0)
    cache.set("page", b"v1")
    asked = mgets(server)
    for _ in range(5):
        assert cache.get_values(["page"]) == [b"v1"]
    assert mgets(server) == asked + 5
    assert cache._reader[1].mirror.values == {}


def test_a_redis_restart_drops_the_copy(server, quick_retry):
    cache = make_cache(server)
    cache.set("page", b"before the restart")
    cache.set("epoch", 9)
    assert cache.get_values(["page", "epoch"]) == [b"before the restart", 9]

    server.stop()
    # Redis is gone: a miss (the page is rendered live), never the copy.
    assert cache.get_values(["page", "epoch"]) == [None, None]
    server.start()
    time.sleep(0.25)
    # Back, empty: nothing read before the restart is answered.
    assert cache.get_values(["page", "epoch"]) == [None, None]
    cache.set("page", b"after")
    assert cache.get_values(["page", "epoch"]) == [b"after", None]


def test_a_restart_between_two_reads_drops_the_copy(server):
    """No read while Redis was away: the next one still finds the
    connection closed and reads Redis, not the copy."""
    cache = make_cache(server)
    cache.set("page", b"before the restart")
    assert cache.get_values(["page"]) == [b"before the restart"]
    server.stop()
    server.start()
    store_elsewhere(server, cache, "page", b"after")
    assert cache.get_values(["page"]) == [b"after"]
    assert cache_backend.failures(cache) == 0


def test_a_connection_closed_by_redis_drops_the_copy(server):
    cache = make_cache(server)
    cache.set("page", b"v1")
    cache.get_values(["page"])
    reader = cache._reader[1]
    assert reader.mirror.values
    # Redis closes the reader's connection (as a timeout or a failover would).
    killed = other_client(server).client_kill_filter(skipme=True, _type="normal")
    assert killed >= 1
    time.sleep(0.05)
    other_client(server).set(
        cache.make_key("page"), cache._cache._serializer.dumps(b"v2")
    )

    assert cache.get_values(["page"]) == [b"v2"]


def test_the_copy_is_bounded_in_entries_and_bytes(server):
    cache = make_cache(server, entries=3, size=250_000)
    for number in range(6):
        cache.set(f"page-{number}", b"x" * 100_000)
        cache.get_values([f"page-{number}"])
        mirror = cache._reader[1].mirror
        assert len(mirror.values) <= 3
        assert mirror.bytes <= 250_000
    # The newest reads are kept, the oldest went first.
    assert [key[-6:] for key in mirror.values] == ["page-4", "page-5"]
    # A value bigger than the whole copy is read, never kept.
    cache.set("huge", b"y" * 300_000)
    assert cache.get_values(["huge"]) == [b"y" * 300_000]
    assert not any(key.endswith("huge") for key in mirror.values)
    assert mirror.bytes <= 250_000


def test_a_redis_that_refuses_tracking_is_read_every_time(server, monkeypatch):
    monkeypatch.setattr(TrackedReader, "TRACKING", ("CLIENT", "NO-SUCH-THING"))
    cache = make_cache(server)
    cache.set("page", b"v1")
    assert cache.get_values(["page"]) == [b"v1"]
    asked = mgets(server)
    assert cache.get_values(["page"]) == [b"v1"]
    assert mgets(server) == asked + 1
    assert cache._reader[1].tracking is False
    assert cache_backend.failures(cache) == 0


def test_mirror_keeps_nothing_bigger_than_itself_and_forgets_on_clear():
    mirror = Mirror(seconds=1, entries=10, size=100)
    mirror.put("a", b"a", 60, read_at=0.0)
    mirror.put("b", b"b", 60, read_at=0.0)  # pushes "a" out
    assert list(mirror.values) == ["b"]
    assert mirror.get(["b"], now=0.5) == [b"b"]
    assert mirror.get(["b"], now=1.5) is None  # older than its seconds
    assert mirror.get(["a", "b"], now=0.5) is None  # all or nothing
    mirror.put("big", b"x", 101, read_at=0.0)
    assert "big" not in mirror.values
    mirror.clear()
    assert (mirror.values, mirror.bytes) == ({}, 0)


def test_redis_versions_that_crash_when_tracking_are_never_tracked(server, monkeypatch):
    from caching import mirror as mirror_module

    real = mirror_module._version
    monkeypatch.setattr(mirror_module, "_version", lambda handshake: (7, 0, 8))
    cache = make_cache(server)
    cache.set("page", b"v1")
    assert cache.get_values(["page"]) == [b"v1"]
    assert cache._reader[1].tracking is False
    monkeypatch.setattr(mirror_module, "_version", real)
    assert real({b"version": b"7.0.15"}) == (7, 0, 15)
    assert real({"version": "6.2.11"}) == (6, 2, 11)
    assert real({}) == (0,)
    assert real({b"version": b"7.2-rc1"}) == (0,)


def test_a_unix_socket_url_reads_and_invalidates_the_same_way():
    """REDIS_URL=unix:///path/redis.sock?db=0, for Redis on the same host."""
    local = PrivateRedis(unix_socket=True)
    local.start()
    try:
        cache = ResilientRedisCache(local.url, {"KEY_PREFIX": "mirror-test"})
        cache.set("page", b"v1")
        assert cache.get_values(["page"]) == [b"v1"]
        assert cache._reader[1].tracking is True
        asked = mgets(local)
        assert cache.get_values(["page"]) == [b"v1"]
        assert mgets(local) == asked
        store_elsewhere(local, cache, "page", b"v2")
        assert cache.get_values(["page"]) == [b"v2"]
        assert "unix" in type(cache._reader[1].connection).__name__.lower()
    finally:
        local.remove()
    # Its socket gone: a miss, as for any Redis that went away.
    assert cache.get_values(["page"]) == [None]
