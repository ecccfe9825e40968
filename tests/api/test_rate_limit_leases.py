"""The API's rate limit reserves requests from the shared count in leases
(``api.throttle``): a process counts a few requests at once in the shared
cache and spends them itself, so a busy caller costs one write per lease, not
one per request. What a lease holds is counted as spent, so processes
together never let more than the limit through; small limits stay exact.
These run against the cache the suite is given (the shared disk cache, or
Redis with REDIS_URL), with real processes for the cross-process rules."""

import multiprocessing
import time

import pytest
import time_machine
from django.core.cache import cache

from api import throttle
from tests.test_shared_cache import PROCESSES
from tests.test_shared_cache import _race as race_processes


@pytest.fixture
def moment():
    """One instant for the whole test (and its child processes): one window."""
    now = time.time()
    with time_machine.travel(now, tick=False):
        yield now


def stored_count(subject: str, now: float) -> int | None:
    return cache.get(f"{throttle.PREFIX}{subject}:{int(now // 60)}")


def test_a_lease_is_a_hundredth_of_what_is_left_and_at_most_64():
    assert throttle.lease_size(120) == 1  # the anonymous default: exact
    assert throttle.lease_size(199) == 1
    assert throttle.lease_size(600) == 6  # an API key's default
    assert throttle.lease_size(10_000) == 64
    assert throttle.lease_size(10**9) == 64
    assert throttle.lease_size(1_000, counted=950) == 1  # near the end: exact
    assert throttle.lease_size(1_000, counted=5_000) == 1  # past it: one more


def test_a_small_limit_counts_every_request_in_the_shared_store(moment):
    verdicts = [throttle.hit("ip:198.51.100.7", 120) for _ in range(5)]
    assert stored_count("ip:198.51.100.7", moment) == 5
    assert [v.remaining for v in verdicts] == [119, 118, 117, 116, 115]
    assert throttle._leases == {}, "nothing kept in the process"


def test_a_large_limit_writes_the_store_once_per_lease(moment):
    verdicts = [throttle.hit("key:7", 10_000) for _ in range(64)]
    assert all(v.allowed for v in verdicts)
    assert stored_count("key:7", moment) == 64, "one reservation of 64"
    throttle.hit("key:7", 10_000)
    assert stored_count("key:7", moment) == 128, "the next lease"


def test_remaining_never_counts_a_lease_as_still_available(moment):
    """X-RateLimit-Remaining is what the store had left at this process's
    last reservation, its own unspent lease counted as gone."""
    first = throttle.hit("key:8", 1_000)  # reserves 10
    assert first.remaining == 990
    cache.incr_or_start(  # another process reserves 500 meanwhile
        f"{throttle.PREFIX}key:8:{int(moment // 60)}", timeout=70, delta=500
    )
    spent = [throttle.hit("key:8", 1_000).remaining for _ in range(9)]
    assert spent == [990] * 9  # never more than the store had left then
    renewed = throttle.hit("key:8", 1_000)  # the store is asked again
    # A lease of 9 (a hundredth of what this process last saw left).
    assert renewed.allowed and renewed.remaining == 1_000 - 510 - 9


def test_one_process_gets_exactly_its_limit_the_last_hundred_one_by_one(moment):
    verdicts = [throttle.hit("key:9", 1_000) for _ in range(1_010)]
    assert [v.allowed for v in verdicts] == [True] * 1_000 + [False] * 10
    # Leases shrink as the count nears the limit; the last hundred requests
    # are counted one at a time, with their exact remaining.
    assert [v.remaining for v in verdicts[990:1_000]] == list(range(9, -1, -1))
    assert stored_count("key:9", moment) == 1_010  # each refusal asked too


def test_a_partly_granted_lease_lets_only_what_is_left_through(moment):
    key = f"{throttle.PREFIX}key:10:{int(moment // 60)}"
    cache.incr_or_start(key, timeout=70, delta=9_990)  # 10 left of 10,000
    verdicts = [throttle.hit("key:10", 10_000) for _ in range(12)]
    assert sum(v.allowed for v in verdicts) == 10
    assert not verdicts[-1].allowed and verdicts[-1].retry_after >= 1


def test_a_new_window_starts_a_new_lease(moment):
    throttle.hit("key:11", 10_000)  # holds 63 for this window
    with time_machine.travel(moment + 60, tick=False):
        throttle.hit("key:11", 10_000)
    assert stored_count("key:11", moment + 60) == 64, "asked the store again"


def test_a_changed_limit_drops_the_lease(moment):
    throttle.hit("key:12", 10_000)  # holds 63
    throttle.hit("key:12", 5_000)  # the key's limit was lowered in the admin
    assert stored_count("key:12", moment) == 64 + 50


def test_leases_kept_per_process_are_bounded(moment, monkeypatch):
    monkeypatch.setattr(throttle, "LEASES_KEPT", 3)
    for n in range(10):
        throttle.hit(f"ip:198.51.100.{n}", 10**9)
    assert len(throttle._leases) == 3
    assert list(throttle._leases) == [f"ip:198.51.100.{n}" for n in (7, 8, 9)]


def test_an_unreachable_store_leaves_the_api_open(moment, monkeypatch):
    from caching.backend import CacheUnavailable

    def down(*args, **kwargs):
        raise CacheUnavailable("down")

    monkeypatch.setattr(cache, "incr_or_start", down, raising=False)
    verdict = throttle.hit("ip:198.51.100.20", 120)
    assert verdict.allowed and verdict.remaining == 120
    assert throttle._leases == {}


# Several processes --------------------------------------------------------------


def _spend(subject, start, per_minute, requests, allowed):
    start.wait()
    allowed.put(sum(throttle.hit(subject, per_minute).allowed for _ in range(requests)))


def _race(subject, per_minute, requests) -> list[int]:
    """``PROCESSES`` forked processes (as gunicorn forks its workers) ask at
    once; how many each let through."""
    allowed = multiprocessing.get_context("fork").Queue()
    race_processes(_spend, subject, per_minute, requests, allowed)
    return [allowed.get(timeout=10) for _ in range(PROCESSES)]


def test_processes_together_never_let_more_than_the_limit_through(moment):
    per_process = _race("key:20", 1_000, 400)  # 1,600 asked, 1,000 allowed
    assert sum(per_process) <= 1_000
    # Unspent leases are the only loss: at most one lease (10) per process.
    assert sum(per_process) >= 1_000 - PROCESSES * throttle.lease_size(1_000)


def test_a_small_limit_is_exact_across_processes(moment):
    assert sum(_race("ip:198.51.100.30", 120, 60)) == 120


def test_a_forked_worker_does_not_spend_its_parents_lease(moment):
    throttle.hit("key:21", 10_000)  # the parent holds 63 more
    assert sum(_race("key:21", 10_000, 1)) == PROCESSES
    assert stored_count("key:21", moment) == 64 * (PROCESSES + 1)
