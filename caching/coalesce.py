"""
One render per purge: what the page cache does on a miss (``caching.pages``).

A purged page that many readers want at once would otherwise be rendered by
each of them (a stampede: every worker busy with the same page, and the queue
behind them). Instead, the first reader to miss takes a short lock for the
page's key in the shared cache (an atomic ``add`` that expires after
``lock_seconds()``, so a renderer that dies holds no one up for longer) and
renders. The readers that come while it renders are answered

- **from the previous copy** (stale-while-revalidate), if the page has one
  that may still be shown: only *soft* purges happened since it was rendered
  (``purges.purge(..., soft=True)``: something was added, such as a newly
  approved comment, and the previous copy merely lacks it for one render);
- otherwise **by that render**: they poll the cache, a few milliseconds
  apart, for at most ``wait_seconds()``; if the lock is released without a
  copy (the page is not storable, or a purge overtook the render) or the time
  is up, they render themselves, as before.

Everything is in the shared cache (Redis, or the disk cache every worker
opens), so this holds across processes and servers; nothing is in a worker's
memory. Staff and pages the cache never keeps never get here.

**Which previous copies may be shown.** A *hard* purge (the default: a
withdrawal, an unpublication, a correction, a comment taken out of view)
bumps ``HARD_EPOCH_KEY`` before it bumps anything else. Each copy carries the
hard epoch read before its render started, and is shown stale only while that
is still the current one. So once a hard purge has begun, no copy rendered
before it is shown, not even for a moment: readers wait for the one render.
One counter for the whole cache, not one per tag: a hard purge elsewhere only
costs a hot page one wait instead of one stale answer, and a miss reads one
key instead of a counter per tag.
"""

import logging
import secrets
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from . import edge
from .backend import failures
from .entries import Entry

logger = logging.getLogger(__name__)

LOCK_PREFIX = "page:lock:v1:"
# Bumped by every hard purge, before its tags (see caching.purges.purge_now).
HARD_EPOCH_KEY = "page:v1:hard-epoch"
# Counters of what misses did, kept only with NEWSROOM_PAGE_CACHE_STATS on (the
# benchmark's "renders per purge"; docs/benchmark.md).
STATS_PREFIX = "page:stats:v1:"
OUTCOMES = ("render", "stale", "wait", "fallback")
# Between two looks at the cache while waiting for another request's render:
# soon at first (a page renders in tens of milliseconds), then every 50 ms.
PAUSES = (0.005, 0.01, 0.02, 0.04)
PAUSE = 0.05

sleep = time.sleep  # the tests replace it to take turns deterministically


def lock_seconds() -> int:
    """How long a renderer's lock lasts: a little over a slow render. Whole
    seconds, as Redis counts them."""
    return max(1, int(getattr(settings, "NEWSROOM_PAGE_RENDER_LOCK_SECONDS", 2)))


def rest_seconds() -> float:
    """When soft purges overtake renders one after another (purges coming
    faster than renders), how long each such copy answers before the next
    render starts, so that one worker is not rendering the same page nonstop.
    An approval then shows within two renders and this pause."""
    return float(getattr(settings, "NEWSROOM_PAGE_RENDER_REST_SECONDS", 0.2))


def wait_seconds() -> float:
    """The longest a reader without a previous copy waits for the one render."""
    return float(getattr(settings, "NEWSROOM_PAGE_RENDER_WAIT_SECONDS", 2.0))


class Miss(NamedTuple):
    """What a miss came to: an answer without rendering, or a render."""

    outcome: str  # one of OUTCOMES
    entry: object | None  # the stored page to answer with ("stale", "wait")
    lock: tuple[str, str] | None  # (key, token) of the lock this request holds
    hard_epoch: int | None  # read before rendering; None: never shown stale
    epoch: int | None  # the purge epoch read last before rendering, if read
    # Renders after a copy that a purge overtook too: purges outpace renders.
    streak: bool = False


def servable(entry, hard_epoch: int) -> bool:
    """Whether ``entry`` may answer while its page is being rendered again:
    no hard purge since its render began, and not past its own life."""
    return (
        entry is not None
        and getattr(entry, "hard_epoch", None) is not None
        and entry.hard_epoch == hard_epoch
        and entry.until > time.time()
    )


def answer(request, key: str, lookup, replay):
    """A miss on ``key``: the previous copy or another request's render, as a
    response made by ``replay(request, entry)``; or None: render here, and the
    request carries what storing that render needs (its lock, the hard epoch).
    ``lookup(key)`` is the page cache's own (a current copy and the epoch)."""
    try:
        found = miss(key, lookup)
    except Exception:  # a cache outage: render live, as before
        logger.warning("page cache unavailable", exc_info=True)
        return None
    count(found.outcome)
    request._page_cache_lock = found.lock
    request._page_cache_hard_epoch = found.hard_epoch
    request._page_cache_streak = found.streak
    if found.epoch is not None:
        request._page_cache_epoch = found.epoch
    if found.entry is None:
        return None
    response = replay(request, found.entry)
    response["X-Page-Cache"] = found.outcome
    if found.outcome == "stale":  # the edge was purged; it must not keep this
        edge.keep_off_edge(response)
    return response


def rest_until(request) -> float | None:
    """For a page whose render a purge overtook: None if it may not be kept
    even as a previous copy (a hard purge has begun since the render started);
    otherwise the time before which no new render starts (now, unless purges
    overtook the render before it too: then after ``rest_seconds()``)."""
    hard_epoch = getattr(request, "_page_cache_hard_epoch", None)
    if hard_epoch is None or cache.get(HARD_EPOCH_KEY, 0) != hard_epoch:
        return None
    streak = getattr(request, "_page_cache_streak", False)
    return time.time() + (rest_seconds() if streak else 0)


def miss(key: str, lookup) -> Miss:
    """Decide what a request that missed ``key`` gets. ``lookup(key)`` is the
    page cache's own (a current copy and the purge epoch, or None)."""
    lock_key = LOCK_PREFIX + key
    before = failures(cache)
    found = cache.get_many([key, HARD_EPOCH_KEY, lock_key])
    hard = found.get(HARD_EPOCH_KEY, 0)
    previous = _entry(found.get(key))
    if servable(previous, hard) and getattr(previous, "rest_until", 0) > time.time():
        return Miss("stale", previous, None, hard, None)
    if lock_key not in found:
        lock = _take(lock_key)
        if lock is not None:
            overtaken = getattr(previous, "rest_until", 0) > 0
            return Miss("render", None, lock, hard, None, overtaken)
    if failures(cache) != before:
        # The cache is unreachable: nobody's lock or copy can be seen, so
        # render live, as without coalescing (and keep nothing).
        return Miss("fallback", None, None, None, None)
    if servable(previous, hard):
        return Miss("stale", previous, None, hard, None)
    return _wait(key, lock_key, lookup)


def _entry(blob) -> Entry | None:
    """The stored page in ``blob`` (the page cache keeps bytes), or None."""
    return None if blob is None else Entry.decode(blob)


def _take(lock_key: str) -> tuple[str, str] | None:
    token = secrets.token_hex(8)
    if cache.add(lock_key, token, lock_seconds()):
        return lock_key, token
    return None


def _wait(key: str, lock_key: str, lookup) -> Miss:
    """Poll for the render another request is making, within the bound."""
    deadline = time.monotonic() + wait_seconds()
    hard, epoch = None, None
    for turn in range(10_000):
        if time.monotonic() >= deadline:
            break
        sleep(PAUSES[turn] if turn < len(PAUSES) else PAUSE)
        before = failures(cache)
        entry, epoch = lookup(key)
        if entry is not None:
            return Miss("wait", entry, None, None, epoch)
        found = cache.get_many([key, HARD_EPOCH_KEY, lock_key])
        hard = found.get(HARD_EPOCH_KEY, 0)
        previous = _entry(found.get(key))
        if servable(previous, hard):
            # That render, stored as a previous copy: a soft purge overtook it.
            return Miss("stale", previous, None, hard, epoch)
        if lock_key not in found or failures(cache) != before:
            # Released without a copy (not storable, or a hard purge overtook
            # it), or its renderer died and the lock expired: render here.
            break
    return Miss("fallback", None, None, hard, epoch)


def release(lock: tuple[str, str] | None) -> None:
    """Give up the render lock, if it is still this request's (it may have
    expired and been taken by another; then that one is left alone)."""
    if lock is None:
        return
    lock_key, token = lock
    try:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)
    except Exception:  # it expires by itself
        logger.warning("page render lock not released", exc_info=True)


def count(outcome: str) -> None:
    """Count one miss's outcome, when the benchmark asks for it."""
    if not getattr(settings, "NEWSROOM_PAGE_CACHE_STATS", False):
        return
    key = STATS_PREFIX + outcome
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception:
        logger.warning("page cache stats not counted", exc_info=True)


def stats() -> dict[str, int]:
    """The outcomes counted so far (``count``)."""
    found = cache.get_many([STATS_PREFIX + outcome for outcome in OUTCOMES])
    return {outcome: found.get(STATS_PREFIX + outcome, 0) for outcome in OUTCOMES}
