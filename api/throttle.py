"""
Requests per minute per subject (an address, or an API key), counted in the
shared cache (Redis in production) so every process and server agrees; never
in process memory. A fixed one-minute window, started and counted in one
atomic step and one round trip per request (``incr_or_start`` of the site's
cache backends: ``caching.backend``). If the cache is away nothing can be
counted, and a read-only API stays open rather than turning everyone away.
"""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)
PREFIX = "api:rate:v1:"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def _count(key: str) -> int:
    """This request's number in its window: one round trip where the cache
    can do ``add`` and ``incr`` together (both of ours), else two."""
    start = getattr(cache, "incr_or_start", None)
    if start is not None:
        return start(key, timeout=70)
    cache.add(key, 0, timeout=70)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        return 1


def hit(subject: str, per_minute: int) -> Verdict:
    now = time.time()
    window = int(now // 60)
    try:
        count = _count(f"{PREFIX}{subject}:{window}")
    except ValueError:  # CacheUnavailable: the backend logs the outage once
        return Verdict(True, per_minute, per_minute, 0)
    except Exception:
        logger.warning("API rate limit not counted: cache unavailable", exc_info=True)
        return Verdict(True, per_minute, per_minute, 0)
    retry_after = max(1, int((window + 1) * 60 - now))
    return Verdict(
        allowed=count <= per_minute,
        limit=per_minute,
        remaining=max(0, per_minute - count),
        retry_after=retry_after,
    )
