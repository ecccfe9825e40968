"""
Requests per minute per subject (an address, or an API key), counted in the
shared cache (Redis in production) so every process and server agrees; never
in process memory alone. A fixed one-minute window, started and counted in one
atomic step and one round trip (``incr_or_start`` of the site's cache
backends: ``caching.backend``). If the cache is away nothing can be counted,
and a read-only API stays open rather than turning everyone away.

**Leases.** A busy subject does not cost a write to the shared counter per
request: a process adds a small *lease* of n requests to the counter in one
step (``INCRBY n``) and spends them itself, one per request, before it asks
again. What a process holds is already counted in the shared store, as if
spent, so all processes together can never let more than the limit through;
a process that stops getting requests leaves its unspent lease counted, which
only ever refuses early (at most one lease per process a window). A lease is
a hundredth of what the store had left, at most ``LEASE_MAX``: below 200 a
minute (the anonymous default, 120) every request is counted on its own and
the limit is exact, and near the end of any limit leases shrink back to one.
Leases live in a small table per process (``LEASES_KEPT`` subjects, dropped
at the window's end, never inherited by a forked child); dropping one wastes
its requests, never adds any. See docs/api.md, "Rate limits and API keys".
"""

import logging
import os
import threading
import time
from dataclasses import dataclass

from caching.calls import incr_or_start

logger = logging.getLogger(__name__)
PREFIX = "api:rate:v1:"
# A lease is at most this share of what the shared count has left, and at
# most LEASE_MAX requests: one round trip per 64 requests of a hot caller.
LEASE_SHARE = 100
LEASE_MAX = 64
# Subjects with a lease in one process; past it the oldest lease is dropped.
LEASES_KEPT = 1024


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


@dataclass
class _Lease:
    window: int
    limit: int
    left: int  # requests this process may still let through, already counted
    counted: int  # the shared count after this process's last reservation


_leases: dict[str, _Lease] = {}
_lock = threading.Lock()


def forget_leases() -> None:
    """Drop this process's leases (their requests stay counted: wasted)."""
    with _lock:
        _leases.clear()


# A forked child (a gunicorn worker) must not spend what its parent holds.
os.register_at_fork(after_in_child=_leases.clear)


def lease_size(per_minute: int, counted: int = 0) -> int:
    """How many requests to reserve when ``counted`` are already counted."""
    return max(1, min(LEASE_MAX, (per_minute - counted) // LEASE_SHARE))


def _count(key: str, size: int) -> int:
    """The shared count after adding ``size``: one round trip on the site's
    caches (``caching.calls.incr_or_start``)."""
    return incr_or_start(key, timeout=70, delta=size)


def _spend(subject: str, window: int, per_minute: int) -> _Lease | None:
    """This process's lease for ``subject``, one request taken from it, or
    None if it has none left for this window and limit."""
    with _lock:
        lease = _leases.get(subject)
        if lease is None:
            return None
        if lease.window != window or lease.limit != per_minute:
            del _leases[subject]
            return None
        if lease.left <= 0:
            return None
        lease.left -= 1
        return lease


def _keep(subject: str, window: int, per_minute: int, left: int, counted: int):
    with _lock:
        lease = _leases.get(subject)
        if lease is not None and (lease.window, lease.limit) == (window, per_minute):
            # Another thread reserved too: both are counted, so both are ours.
            lease.left += left
            lease.counted = max(lease.counted, counted)
            return
        if len(_leases) >= LEASES_KEPT:
            del _leases[next(iter(_leases))]
        _leases[subject] = _Lease(window, per_minute, left, counted)


def hit(subject: str, per_minute: int) -> Verdict:
    now = time.time()
    window = int(now // 60)
    retry_after = max(1, int((window + 1) * 60 - now))
    lease = _spend(subject, window, per_minute)
    if lease is not None:
        # Honest: what the store had left when this process last asked,
        # its own unspent requests counted as gone.
        remaining = max(0, per_minute - lease.counted)
        return Verdict(True, per_minute, remaining, retry_after)
    with _lock:
        known = _leases.get(subject)
        counted = known.counted if known is not None else 0
    size = lease_size(per_minute, counted)
    try:
        counted = _count(f"{PREFIX}{subject}:{window}", size)
    except ValueError:  # CacheUnavailable: the backend logs the outage once
        return Verdict(True, per_minute, per_minute, 0)
    except Exception:
        logger.warning("API rate limit not counted: cache unavailable", exc_info=True)
        return Verdict(True, per_minute, per_minute, 0)
    # Of the ``size`` requests just counted, those within the limit are ours.
    granted = min(size, per_minute - (counted - size))
    if granted <= 0:
        return Verdict(False, per_minute, 0, retry_after)
    if size > 1 or known is not None:
        _keep(subject, window, per_minute, granted - 1, counted)
    return Verdict(True, per_minute, max(0, per_minute - counted), retry_after)
