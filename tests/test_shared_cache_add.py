"""The disk cache's ``add`` in one SQL statement (``caching.disk``).

A number (the rate limits' slots, the double-click claim) is stored by one
upsert; anything else, and an expired row that keeps a file, goes through
diskcache's own ``add``. Either way ``add`` must mean what it always meant:
stored once while the key lives, again after it expired, exact when several
processes race, and expired rows culled as diskcache's own ``add`` culls them.
"""

import multiprocessing

import time_machine

from caching import disk as disk_module
from tests.test_shared_cache import PROCESSES, _race, disk

SLOTS = 60


def _rows(cache) -> int:
    return sum(
        shard._sql("SELECT COUNT(*) FROM Cache").fetchone()[0]
        for shard in cache._cache._shards
    )


def test_a_number_is_added_once_while_it_lives_and_again_after(tmp_path):
    cache = disk(tmp_path)
    with time_machine.travel(1_000_000, tick=False) as clock:
        assert cache.add("slot", 1.5, timeout=15) is True
        assert cache.add("slot", 2.5, timeout=15) is False
        assert cache.get("slot") == 1.5
        clock.shift(16)
        assert cache.add("slot", 3.5, timeout=15) is True
        assert cache.get("slot") == 3.5


def test_add_many_stores_each_new_key_and_refuses_each_live_one(tmp_path):
    cache = disk(tmp_path)
    cache.set("taken", 7, 60)
    keys = [f"slot:{n}" for n in range(12)]

    stored = cache.add_many([(key, 1, 60) for key in [*keys, "taken", keys[0]]])

    # The same key twice in one call: the second finds it taken, as one add
    # after another would.
    assert stored == [True] * 12 + [False, False]
    assert cache.get_many(["taken", *keys]) == {"taken": 7, **dict.fromkeys(keys, 1)}


def test_add_without_a_lifetime_keeps_the_key(tmp_path):
    cache = disk(tmp_path)
    with time_machine.travel(1_000_000, tick=False) as clock:
        assert cache.add("forever", 1, timeout=None) is True
        clock.shift(10**6)
        assert cache.add("forever", 2, timeout=None) is False
    assert cache.get("forever") == 1


def test_values_that_are_not_numbers_are_added_by_diskcache_itself(tmp_path):
    cache = disk(tmp_path)
    page = "x" * 100_000  # kept in a file beside the database

    assert cache.add_many([("page", page, 60), ("copy", {"a": 1}, 60)]) == [True] * 2
    assert cache.add("page", "other", 60) is False
    assert cache.get_many(["page", "copy"]) == {"page": page, "copy": {"a": 1}}


def test_an_expired_row_with_a_file_is_replaced_and_its_file_removed(tmp_path):
    cache = disk(tmp_path)
    with time_machine.travel(1_000_000, tick=False) as clock:
        cache.set("key", b"y" * 100_000, 10)
        files = set(tmp_path.rglob("*.val"))
        assert len(files) == 1
        clock.shift(11)

        assert cache.add("key", 5, timeout=10) is True
        assert cache.get("key") == 5
    assert not any(path.exists() for path in files)


def test_expired_rows_are_culled_as_numbers_are_added(tmp_path, monkeypatch):
    monkeypatch.setattr(disk_module, "CULL_EVERY", 4)
    cache = disk(tmp_path)
    with time_machine.travel(1_000_000, tick=False) as clock:
        cache.add_many([(f"old:{n}", 1, 10) for n in range(200)])
        clock.shift(11)
        for n in range(200):
            cache.add(f"new:{n}", 1, 10)

    # Each add culls up to ``cull_limit`` (10) expired rows, as diskcache's
    # own add does: the 200 old rows are gone.
    assert _rows(cache) == 200


def _take_slots(folder, start, won):
    cache = disk(folder)
    start.wait()
    taken = 0
    for n in range(0, SLOTS, 3):
        keys = [(f"slot:{n + k}", 1.0, 60) for k in range(3)]
        taken += sum(cache.add_many(keys))
    won.put(taken)


def test_racing_processes_take_each_slot_exactly_once(tmp_path):
    won = multiprocessing.get_context("fork").Queue()

    _race(_take_slots, tmp_path, won)

    assert sum(won.get(timeout=5) for _ in range(PROCESSES)) == SLOTS
