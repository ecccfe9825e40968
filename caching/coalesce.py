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
from .calls import incr_or_start, read_values
from .entries import RETIRED, Entry

logger = logging.getLogger(__name__)

LOCK_PREFIX = "page:lock:v1:"
# Bumped by every hard purge, before its tags (see caching.purges.purge_now).
HARD_EPOCH_KEY = "page:v1:hard-epoch"
OUTCOMES = ("render", "stale", "wait", "fallback")
# Counters of what misses did, kept only with NEWSROOM_PAGE_CACHE_STATS on (the
# benchmark's "renders per purge"; docs/benchmark.md): every outcome but
# "stale" (a counter written on each stale answer cost it half as much CPU
# again as a whole hit, in the very load the benchmark compares with the same
# load without approvals), and what became of renders and looks: "rechecked",
# a reader answered by a render stored just before it took the lock (a "wait"
# too); "kept", a render stored as current though other pages were purged
# meanwhile; "overtaken", one kept only as previous copy (a soft purge of its
# tags ran meanwhile); "dropped", one not kept at all (a hard purge ran).
STATS_PREFIX = "page:stats:v1:"
COUNTED = ("render", "wait", "fallback", "rechecked", "kept", "overtaken", "dropped")
STATS_SECONDS = 7 * 24 * 3600
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
    # The generations of the previous copy's tags, read before rendering:
    # a render that leaves all of them as they were is current (``unchanged``).
    before: dict[str, int] | None = None


def servable(entry, hard_epoch: int) -> bool:
    """Whether ``entry`` may answer while its page is being rendered again:
    no hard purge since its render began, and not past its own life."""
    return (
        entry is not None
        and getattr(entry, "hard_epoch", None) is not None
        and entry.hard_epoch == hard_epoch
        and entry.until > time.time()
    )


def answer(request, key: str, lookup, replay, generations):
    """A miss on ``key``: the previous copy or another request's render, as a
    response made by ``replay(request, entry)``; or None: render here, and the
    request carries what storing that render needs (its lock, the hard epoch,
    the generations its tags had before). ``lookup(key)`` and
    ``generations(tags)`` are the page cache's own (a current copy and the
    epoch; the tags' generations, one read)."""
    try:
        found = miss(key, lookup, generations)
    except Exception:  # a cache outage: render live, as before
        logger.warning("page cache unavailable", exc_info=True)
        return None
    if found.outcome != "stale":
        count(found.outcome)
    request._page_cache_lock = found.lock
    request._page_cache_hard_epoch = found.hard_epoch
    request._page_cache_streak = found.streak
    request._page_cache_before = found.before
    if found.epoch is not None:
        request._page_cache_epoch = found.epoch
    if found.entry is None:
        return None
    response = replay(request, found.entry)
    response["X-Page-Cache"] = found.outcome
    if found.outcome == "stale":  # the edge was purged; it must not keep this
        edge.keep_off_edge(response)
    return response


def unchanged(request, generations: dict[str, int]) -> bool:
    """Whether none of the page's tags was purged while it rendered: each of
    ``generations`` (read after the render) is what it was before (read
    after this request took the lock, before the view ran). Then the render
    is current even if the purge epoch moved meanwhile (a purge of another
    page, or the end of the very purge that made this one stale)."""
    before = getattr(request, "_page_cache_before", None)
    return bool(before) and all(
        before.get(tag) == generation for tag, generation in generations.items()
    )


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


def miss(key: str, lookup, generations) -> Miss:
    """Decide what a request that missed ``key`` gets. ``lookup(key)`` is the
    page cache's own (a current copy and the purge epoch, or None);
    ``generations(tags)`` reads the tags' generations."""
    lock_key = LOCK_PREFIX + key
    before = failures(cache)
    found = _get_many([key, HARD_EPOCH_KEY, lock_key])
    hard = found.get(HARD_EPOCH_KEY, 0)
    previous = _entry(found.get(key))
    if servable(previous, hard) and getattr(previous, "rest_until", 0) > time.time():
        return Miss("stale", previous, None, hard, None)
    if lock_key not in found:
        lock = _take(lock_key)
        if lock is not None:
            return _render(key, lock, previous, hard, lookup, generations)
    if failures(cache) != before:
        # The cache is unreachable: nobody's lock or copy can be seen, so
        # render live, as without coalescing (and keep nothing).
        return Miss("fallback", None, None, None, None)
    if servable(previous, hard):
        return Miss("stale", previous, None, hard, None)
    return _wait(key, lock_key, lookup)


def _get_many(keys: list[str]) -> dict:
    """``cache.get_many`` in one read (``calls.read_values``: on Redis one
    MGET on a connection of its own, as a stale answer makes this read)."""
    values = read_values(keys)
    return {
        key: value for key, value in zip(keys, values, strict=True) if value is not None
    }


def _entry(blob) -> Entry | None:
    """The stored page in ``blob`` (the page cache keeps bytes), or None."""
    return None if blob is None else Entry.decode(blob)


def _render(key, lock, previous, hard: int, lookup, generations) -> Miss:
    """This request holds the lock. Look once more: another request may have
    stored the page and let go of the lock since this one missed (then that
    copy answers, and nothing renders twice). Otherwise render, knowing the
    epoch and the previous copy's tags' generations as they were before."""
    try:
        entry, epoch = lookup(key)
        if entry is not None:
            release(lock)
            count("rechecked")
            return Miss("wait", entry, None, None, epoch)
        tags = previous.generations if previous is not None else None
        before = generations(tags) if tags else None
        if previous is not None and previous.epoch != RETIRED:
            _retire(key, previous)
    except Exception:  # rendered live (``answer``): nobody waits on the lock
        release(lock)
        raise
    overtaken = getattr(previous, "rest_until", 0) > 0
    return Miss("render", None, lock, hard, epoch, overtaken, before)


def _retire(key: str, previous: Entry) -> None:
    """Keep ``previous`` only as a previous copy while this render runs: the
    readers meanwhile learn from its first line that it is not current,
    instead of each reading all its tags' generations again."""
    seconds = int(previous.until - time.time())
    if seconds > 0:
        cache.set(key, previous.retired(), seconds)


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
        found = _get_many([key, HARD_EPOCH_KEY, lock_key])
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
    """Count one miss's outcome or event, when the benchmark asks for it."""
    if not getattr(settings, "NEWSROOM_PAGE_CACHE_STATS", False):
        return
    key = STATS_PREFIX + outcome
    try:
        incr_or_start(key, timeout=STATS_SECONDS)
    except Exception:
        logger.warning("page cache stats not counted", exc_info=True)


def stats() -> dict[str, int]:
    """The outcomes and events counted so far (``count``)."""
    found = cache.get_many([STATS_PREFIX + name for name in COUNTED])
    return {name: found.get(STATS_PREFIX + name, 0) for name in COUNTED}
