"""
Requests per minute per subject (an address, or an API key), counted in the
shared cache (Redis in production) so every process and server agrees; never
in process memory. A fixed one-minute window: ``cache.add`` starts it and
``cache.incr`` counts, both atomic. If the cache is away nothing can be
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


def hit(subject: str, per_minute: int) -> Verdict:
    now = time.time()
    window = int(now // 60)
    key = f"{PREFIX}{subject}:{window}"
    try:
        cache.add(key, 0, timeout=70)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=70)
            count = 1
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
