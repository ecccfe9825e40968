"""The resilient Redis cache: a dead Redis is a miss, never an error or a hang.

These need no gunicorn: a port where nothing listens stands for a Redis that
is gone, and a redis-server of the suite's own (tests/faults/services.py)
goes away and comes back.
"""

import logging
import os
import signal
import time

import pytest

from bench.server import free_port
from caching import backend as cache_backend
from caching.backend import CacheUnavailable, ResilientRedisCache
from tests.faults.services import PrivateRedis

LOGGER = "caching.backend"


def backend(port: int) -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0", {"KEY_PREFIX": "faults-test"}
    )


@pytest.fixture
def dead():
    """A cache whose Redis is not there (nothing listens on the port)."""
    return backend(free_port())


@pytest.fixture
def quick_retry(monkeypatch):
    monkeypatch.setattr(cache_backend, "RETRY_SECONDS", 0.2)


def test_every_call_answers_like_an_empty_cache_that_stores_nothing(dead):
    assert dead.get("page", "default") == "default"
    assert dead.get_many(["a", "b"]) == {}
    assert dead.has_key("a") is False
    assert dead.add("a", 1) is False
    assert dead.set("a", 1) is None
    assert dead.touch("a") is False
    assert dead.delete("a") is False
    assert dead.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead.delete_many(["a", "b"]) is None
    assert dead.clear() is False
    assert dead.get_or_set("nav", lambda: ["Defence"]) == ["Defence"]


def test_incr_fails_as_for_a_missing_key(dead):
    with pytest.raises(ValueError, match="unavailable") as raised:
        dead.incr("tag:article:1")
    assert isinstance(raised.value, CacheUnavailable)
    with pytest.raises(ValueError):
        dead.decr("tag:article:1")


def test_failures_are_counted_for_callers_that_must_know(dead):
    assert cache_backend.failures(dead) == 0
    dead.get("a")
    dead.add("a", 1)
    assert cache_backend.failures(dead) == 2
    assert dead.available is False


def test_a_dead_cache_costs_a_request_almost_nothing(dead):
    started = time.monotonic()
    for number in range(200):
        dead.get(f"page:{number}")
        dead.add(f"rate:{number}", 1)
    # Refused connections, then a second of not asking at all.
    assert time.monotonic() - started < 1.0


def test_short_socket_timeouts_are_the_default_and_can_be_overridden():
    cache = backend(free_port())
    assert cache._options["socket_connect_timeout"] == 0.25
    assert cache._options["socket_timeout"] == 0.5
    tuned = ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_timeout": 2}}
    )
    assert tuned._options["socket_timeout"] == 2
    assert tuned._options["socket_connect_timeout"] == 0.25


def test_an_outage_is_logged_once_however_many_calls_fail(dead, caplog, quick_retry):
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for number in range(50):
            dead.get(f"page:{number}")
        time.sleep(0.25)  # past the retry time: it tries again, still down
        for number in range(50):
            dead.get(f"page:{number}")
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(messages) == 1, messages
    assert messages[0].startswith("cache unavailable (ConnectionError")


def test_commands_redis_refuses_are_still_errors(quick_retry):
    import redis

    server = PrivateRedis()
    server.start()
    try:
        cache = backend(server.port)
        cache.set("headline", "not a number")
        with pytest.raises(redis.exceptions.ResponseError):
            cache.incr("headline")
        assert cache.available
    finally:
        server.remove()


def test_caching_resumes_when_redis_comes_back(caplog, quick_retry):
    server = PrivateRedis()
    server.start()
    try:
        cache = backend(server.port)
        cache.set("page", "cached")
        assert cache.get("page") == "cached"
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            server.stop()
            assert cache.get("page") is None
            assert cache.add("slot", 1) is False
            server.start()
            time.sleep(0.25)
            # The restarted server kept nothing (no persistence): a miss,
            # then the cache stores and answers again.
            assert cache.get("page") is None
            assert cache.add("slot", 1) is True
            cache.set("page", "cached again")
            assert cache.get("page") == "cached again"
        messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
        assert len(messages) == 2, messages
        assert messages[0].startswith("cache unavailable")
        assert messages[1].startswith("cache available again after")
    finally:
        server.remove()


def test_a_hung_redis_costs_one_short_timeout_then_nothing(quick_retry):
    """A Redis that accepts connections but never answers (stopped with
    SIGSTOP: overloaded, swapping, half-dead) is worse than a dead one."""
    server = PrivateRedis()
    server.start()
    try:
        cache = backend(server.port)
        cache.set("page", "cached")
        os.kill(server.process.pid, signal.SIGSTOP)
        started = time.monotonic()
        assert cache.get("page", "miss") == "miss"
        first = time.monotonic() - started
        started = time.monotonic()
        for number in range(100):
            cache.get(f"page:{number}")
        rest = time.monotonic() - started
        os.kill(server.process.pid, signal.SIGCONT)
        time.sleep(0.25)
        assert cache.get("page") == "cached"
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
        server.remove()
    assert 0.4 < first < 1.5  # the 0.5 s read timeout, not redis-py's 5 s
    assert rest < 0.2  # and then the cache is not asked until the retry


def test_one_redis_client_per_pool_is_kept_and_survives_a_restart(quick_retry):
    """Django builds a redis.Redis for every call; ours keeps one per pool."""
    server = PrivateRedis()
    server.start()
    try:
        cache = backend(server.port)
        client = cache._cache
        assert client.get_client() is client.get_client(write=True)
        cache.set("page", "cached")
        assert cache.get("page") == "cached"
        server.stop()
        assert cache.get("page") is None
        server.start()
        time.sleep(0.25)
        cache.set("page", "cached again")  # the same client, fresh connections
        assert cache.get("page") == "cached again"
    finally:
        server.remove()


def test_incr_is_one_round_trip_and_leaves_a_missing_key_missing(quick_retry):
    server = PrivateRedis()
    server.start()
    try:
        cache = backend(server.port)
        cache.set("epoch", 5, timeout=60)
        calls = []
        client = cache._cache.get_client(write=True)
        original = client.execute_command

        def counted(*args, **options):
            calls.append(args[0])
            return original(*args, **options)

        client.execute_command = counted

        assert cache.incr("epoch", 2) == 7
        assert calls == ["EVAL"]
        with pytest.raises(ValueError, match="not found"):
            cache.incr("missing")
        assert cache.get("missing") is None
        assert 0 < client.ttl(cache.make_key("epoch")) <= 60
        assert cache.get("epoch") == 7
    finally:
        server.remove()


def test_get_values_reads_in_order_and_misses_while_redis_is_away(quick_retry):
    """The page cache's one read of a hit (the page and the purge epoch)."""
    server = PrivateRedis()
    server.start()
    try:
        cache = backend(server.port)
        cache.set("page", b"bytes of a page")
        cache.add("epoch", 1)
        cache.incr("epoch")
        assert cache.get_values(["page", "none", "epoch"]) == [
            b"bytes of a page",
            None,
            2,
        ]
        server.stop()
        assert cache.get_values(["page", "epoch"]) == [None, None]
        assert cache.available is False
        server.start()
        time.sleep(0.25)
        # The connection it kept is gone with the old server: it reconnects.
        cache.set("page", b"again")
        assert cache.get_values(["page", "epoch"]) == [b"again", None]
    finally:
        server.remove()


def test_get_values_of_a_dead_redis_is_all_misses(dead):
    assert dead.get_values(["page", "epoch"]) == [None, None]
    assert cache_backend.failures(dead) == 1
