"""How a purge moves its counters: the purge epoch and each tag's generation,
in one call to the site's cache (Redis or the disk cache, whichever this run
uses), and with ``add`` then ``incr`` on a cache without that call."""

import logging
from unittest import mock

import pytest
from django.core.cache import cache

from caching import coalesce, pages, purges
from caching.backend import ResilientRedisCache

EPOCH, HARD = pages.EPOCH_KEY, coalesce.HARD_EPOCH_KEY


def _counts(*keys: str) -> list:
    return [cache.get(key) for key in keys]


@pytest.fixture
def recorded(monkeypatch):
    """Every call the purge makes to the cache, by name and arguments."""
    spy = mock.MagicMock(wraps=purges.cache)
    monkeypatch.setattr(purges, "cache", spy)
    return spy.method_calls


def test_a_soft_purge_is_one_call_for_the_epoch_and_every_tag(recorded):
    purges.purge_now("comments:7", soft=True)

    tag = pages.TAG_PREFIX + "comments:7"
    assert recorded == [mock.call.incr_or_start_many([EPOCH, tag, EPOCH], timeout=None)]
    assert _counts(EPOCH, tag, HARD) == [2, 1, None]


def test_a_hard_purge_moves_the_hard_epoch_first_in_the_same_call(recorded):
    cache.set(EPOCH, 10, None)
    cache.set(pages.TAG_PREFIX + "article:3", 4, None)

    purges.purge_now("article:3", "list:front")

    keys = [pages.TAG_PREFIX + tag for tag in ("article:3", "list:front")]
    assert recorded == [
        mock.call.incr_or_start_many([HARD, EPOCH, *keys, EPOCH], timeout=None)
    ]
    assert _counts(HARD, EPOCH, *keys) == [1, 12, 5, 1]


def test_the_counters_a_purge_starts_never_expire():
    purges.purge_now("nav")

    key = cache.make_and_validate_key(pages.TAG_PREFIX + "nav")
    if hasattr(cache, "_servers"):  # Redis: the lifetime is the server's
        assert cache._cache.get_client(key).ttl(key) == -1  # none
    else:
        assert cache._cache.get(key, expire_time=True) == (1, None)


def test_a_cache_without_the_call_is_purged_with_add_then_incr(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.set(EPOCH, 5, None)

    purges.purge_now("nav", soft=True)

    assert _counts(EPOCH, pages.TAG_PREFIX + "nav") == [7, 1]


def test_a_purge_while_the_cache_is_away_neither_fails_nor_logs(caplog, monkeypatch):
    dead = ResilientRedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )
    monkeypatch.setattr(purges, "cache", dead)

    with caplog.at_level(logging.WARNING):
        purges.purge_now("nav")
        purges.purge_now("nav")  # between retries: not even asked

    assert dead.failures == 2
    assert [r for r in caplog.records if r.name == "caching.purges"] == []


def test_a_purge_the_cache_refuses_is_logged_and_does_not_fail(caplog, monkeypatch):
    class Refusing:
        def incr_or_start_many(self, keys, *, timeout):
            raise RuntimeError("WRONGTYPE")

    monkeypatch.setattr(purges, "cache", Refusing())

    with caplog.at_level(logging.WARNING, logger="caching.purges"):
        purges.purge_now("nav")

    assert "page cache purge failed" in caplog.text
    assert pages.TAG_PREFIX + "nav" in caplog.text
