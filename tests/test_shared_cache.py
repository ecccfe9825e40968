"""The default cache without Redis: one cache for every worker process.

python-diskcache's Django cache in a folder (``caching.disk.SharedDiskCache``):
``incr`` and ``add`` must be exact when several processes race (the purge epoch
and the rate limiter rely on them), and a folder that cannot be used must
degrade to "no cache" as a dead Redis does. ``caching.checks`` refuses a
per-process cache with DEBUG off.
"""

import logging
import multiprocessing

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from caching import backend as cache_backend
from caching.backend import CacheUnavailable
from caching.checks import refuse_to_start, shared_cache
from caching.disk import SharedDiskCache

PROCESSES = 4
INCREMENTS = 250
SLOTS = 40
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def disk(folder) -> SharedDiskCache:
    return SharedDiskCache(str(folder), {"KEY_PREFIX": "test", "SHARDS": 8})


def _increment(folder, start, count):
    cache = disk(folder)  # each process opens the folder itself, as a worker does
    start.wait()
    for _ in range(count):
        cache.incr("page:v2:epoch")


def _take_slots(folder, start, won):
    cache = disk(folder)
    start.wait()
    won.put(sum(bool(cache.add(f"slot:{n}", 1, timeout=60)) for n in range(SLOTS)))


def _count_requests(folder, start, count):
    cache = disk(folder)
    start.wait()
    for _ in range(count):
        cache.incr_or_start("api:rate:window", timeout=60)


def _purge(folder, start, count):
    cache = disk(folder)
    start.wait()
    for _ in range(count):
        cache.incr_or_start_many(["epoch", "tag:nav", "epoch"], timeout=None)


def _race(target, *args) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    processes = [
        context.Process(target=target, args=(*args[:1], start, *args[1:]))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0, process


def test_incr_from_several_processes_counts_every_increment(tmp_path):
    disk(tmp_path).set("page:v2:epoch", 0, None)

    _race(_increment, tmp_path, INCREMENTS)

    assert disk(tmp_path).get("page:v2:epoch") == PROCESSES * INCREMENTS


def test_add_from_several_processes_gives_each_slot_once(tmp_path):
    won = multiprocessing.get_context("fork").Queue()

    _race(_take_slots, tmp_path, won)

    taken = [won.get(timeout=10) for _ in range(PROCESSES)]
    assert sum(taken) == SLOTS, taken


def test_incr_or_start_from_several_processes_counts_every_request(tmp_path):
    _race(_count_requests, tmp_path, INCREMENTS)

    assert disk(tmp_path).get("api:rate:window") == PROCESSES * INCREMENTS


def test_incr_or_start_starts_a_counter_that_expires_and_starts_again(tmp_path):
    cache = disk(tmp_path)
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert [cache.incr_or_start("n", timeout=70) for _ in range(3)] == [1, 2, 3]
        clock.shift(69)
        assert cache.incr_or_start("n", timeout=70) == 4  # the lifetime holds
        clock.shift(2)
        assert cache.get("n") is None
        assert cache.incr_or_start("n", timeout=70) == 1
        clock.shift(71)  # a lease of 5 on an expired count starts it at 5
        assert cache.incr_or_start("n", timeout=70, delta=5) == 5
        assert cache.incr_or_start("n", timeout=70, delta=5) == 10


def test_incr_or_start_many_from_several_processes_counts_every_purge(tmp_path):
    disk(tmp_path).set("epoch", 7, None)  # an epoch from before, kept

    _race(_purge, tmp_path, INCREMENTS)

    counts = disk(tmp_path).get_many(["epoch", "tag:nav"])
    assert counts == {
        "epoch": 7 + 2 * PROCESSES * INCREMENTS,
        "tag:nav": PROCESSES * INCREMENTS,
    }


def test_incr_or_start_many_without_a_lifetime_starts_counters_that_stay(tmp_path):
    cache = disk(tmp_path)
    cache.set("epoch", 41, None)
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert cache.incr_or_start_many(["epoch", "t", "epoch"], timeout=None) == [
            42,
            1,
            43,
        ]
        clock.shift(10 * 365 * 24 * 3600)
        assert cache.get_many(["epoch", "t"]) == {"epoch": 43, "t": 1}
        assert cache.incr_or_start_many(["t"], timeout=None) == [2]


def test_incr_or_start_many_with_a_lifetime_starts_again_after_it(tmp_path):
    cache = disk(tmp_path)
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert cache.incr_or_start_many(["a", "b"], timeout=70) == [1, 1]
        assert cache.incr_or_start_many(["a"], timeout=70) == [2]
        clock.shift(71)
        assert cache.incr_or_start_many(["a", "b"], timeout=70) == [1, 1]


def test_what_one_process_purges_another_sees(tmp_path):
    reader, writer = disk(tmp_path), disk(tmp_path)
    reader.set("page", "old", 60)

    writer.set("page", "new", 60)

    assert reader.get_many(["page", "missing"]) == {"page": "new"}


@pytest.fixture
def quick_retry(monkeypatch):
    monkeypatch.setattr(cache_backend, "RETRY_SECONDS", 0.2)


def _answers_like_an_empty_cache(cache) -> None:
    assert cache.get("page", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.add("a", 1) is False
    assert cache.set("a", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete("a") is False
    with pytest.raises(CacheUnavailable):
        cache.incr("page:v2:epoch")
    with pytest.raises(CacheUnavailable):
        cache.incr_or_start_many(["page:v2:epoch", "page:v2:tag:nav"], timeout=None)
    assert cache.add_many([("a", 1, 60), ("b", 1, 60)]) == [False, False]


def test_a_folder_that_cannot_be_created_is_an_outage_not_an_error(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = disk(blocker / "cache")  # building the backend does not touch disk

    with caplog.at_level(logging.WARNING, logger="caching.backend"):
        _answers_like_an_empty_cache(cache)

    assert cache.failures > 0
    assert not cache.available
    outages = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(outages) == 1, caplog.text


def test_a_damaged_database_is_an_outage_and_recovers(tmp_path, quick_retry, caplog):
    import time

    cache = disk(tmp_path / "cache")
    cache.set("page", "stored", 60)
    cache.close()
    damaged = sorted((tmp_path / "cache").glob("*/cache.db"))
    originals = {path: path.read_bytes() for path in damaged}
    for path in damaged:
        path.write_bytes(b"this is not a database" * 1000)
    broken = disk(tmp_path / "cache")

    with caplog.at_level(logging.WARNING, logger="caching.backend"):
        _answers_like_an_empty_cache(broken)
        for path, content in originals.items():
            path.write_bytes(content)
        time.sleep(0.25)
        assert disk(tmp_path / "cache").get("page") == "stored"

    assert "cache unavailable (DatabaseError" in caplog.text


def test_the_check_refuses_a_per_process_cache_with_debug_off(settings):
    settings.DEBUG = False
    settings.CACHES = LOCMEM

    [error] = shared_cache()

    assert error.id == "caching.E001"
    assert "each process's memory" in error.msg
    assert "REDIS_URL" in error.hint and "CACHE_DIR" in error.hint
    with pytest.raises(ImproperlyConfigured, match=r"caching\.E001"):
        refuse_to_start()


def test_the_check_allows_the_shared_caches_and_debug(settings):
    settings.DEBUG = False
    assert shared_cache() == []  # the default: the shared disk cache
    settings.CACHES = LOCMEM
    settings.DEBUG = True
    assert shared_cache() == []
    settings.DEBUG = False
    settings.SILENCED_SYSTEM_CHECKS = ["caching.E001"]
    refuse_to_start()  # silenced on purpose (the stale-worker demonstration)
