"""
Rate limits kept in Django's cache: Redis in production, shared by every app
server and process. Nothing is counted in process memory.

"N per S seconds" is N slots per subject. An attempt takes the first free
slot with ``cache.add`` (atomic: two requests cannot take the same slot), and
the slot frees itself S seconds after it was taken. That is an exact sliding window:
"1 per 15 seconds" means 15 seconds after the last accepted post, never more
and never less, whatever the window boundaries. A refused attempt takes
nothing, so retrying does not extend the wait.

When the cache cannot be reached (see ``caching.backend``) no slot can
be taken or read, and "every slot is taken" would be a lie that turns every
reader away. Such a verdict is ``undecided`` instead: not allowed, with no
retry time, and the caller chooses (comments are held for a moderator; see
``comments.rules.RateLimitRule``).
"""

import math
import time
from dataclasses import dataclass, field

from django.core.cache import cache

from caching.backend import failures
from caching.calls import add_many

# In braces: the disk cache keeps every key with this hash tag on one shard
# (caching.disk), so a post's first slots and its double-click claim
# (comments.rules) are one transaction, where they were one on each of three
# or four shards. Redis ignores the braces.
PREFIX = "{comments:rate}"


@dataclass(frozen=True)
class Limit:
    scope: str  # what is limited and by what, e.g. "post-ip"
    count: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    limit: Limit | None = None
    taken: tuple[str, ...] = ()
    # The cache could not be reached: nothing was counted either way.
    undecided: bool = False
    # Of the ``claims`` asked with the limits: whether each key was taken.
    # Empty when the attempt was refused or undecided (claims given back).
    claims: dict[str, bool] = field(default_factory=dict)


def _slot_key(limit: Limit, subject: str, slot: int) -> str:
    return f"{PREFIX}:{limit.scope}:{limit.seconds}:{subject}:{slot}"


def _slot_keys(limit: Limit, subject: str) -> list[str]:
    return [_slot_key(limit, subject, slot) for slot in range(limit.count)]


def hit(limit: Limit, subject: str, *, first: int = 0) -> Verdict:
    """Take a slot for one attempt by ``subject``, or refuse it.

    The slots are tried in order with ``add`` alone, without reading them
    first: a subject with k attempts in the window costs k + 1 calls, so a
    new reader (most posts) costs one per limit, whatever its count.
    ``first``: the slots before it are known to be taken.
    """
    keys = _slot_keys(limit, subject)
    now = time.time()
    failed_before = failures(cache)
    for key in keys[first:]:
        if cache.add(key, now, timeout=limit.seconds):
            return Verdict(allowed=True, limit=limit, taken=(key,))
        if failures(cache) != failed_before:
            return Verdict(allowed=False, limit=limit, undecided=True)
    # Every slot is taken (some perhaps just now by a concurrent request).
    held = cache.get_many(keys)
    oldest = min(held.values(), default=now)
    retry_after = max(1, math.ceil(oldest + limit.seconds - now))
    return Verdict(allowed=False, retry_after=retry_after, limit=limit)


def check_all(
    limits: list[tuple[Limit, str]], *, claims: list[tuple[str, int]] = ()
) -> Verdict:
    """Pass every limit or none: a refusal (or an undecided limit) gives back
    the slots taken.

    Every limit's first slot is asked for at once (``_add_first_slots``: one
    round trip to Redis), since a new reader, most posts, finds them free;
    only a limit whose first slot is taken goes on slot by slot (``hit``).
    ``claims``: other (key, seconds) to ``add`` in that same call (the
    double-click check, ``comments.rules.DuplicateRule``); the verdict says
    which were taken, and a refusal gives them back too.
    """
    if not limits and not claims:
        return Verdict(allowed=True)
    now = time.time()
    failed_before = failures(cache)
    # A limit of 0 (the admin asks for 1 or more) has no slot: ``hit`` refuses.
    asked = [
        (_slot_key(limit, subject, 0), now, limit.seconds)
        for limit, subject in limits
        if limit.count
    ] + [(key, 1, seconds) for key, seconds in claims]
    won = dict(zip([key for key, _, _ in asked], _add_first_slots(asked), strict=True))
    claimed = {key: won.pop(key) for key, _seconds in claims}
    taken = [key for key, took in won.items() if took]
    kept = [key for key, took in claimed.items() if took]
    if failures(cache) != failed_before:
        cache.delete_many(taken + kept)
        return Verdict(allowed=False, limit=limits[0][0], undecided=True)
    for limit, subject in limits:
        if limit.count and won[_slot_key(limit, subject, 0)]:
            continue
        verdict = hit(limit, subject, first=1)
        if not verdict.allowed:
            cache.delete_many(taken + kept)
            return verdict
        taken.extend(verdict.taken)
    return Verdict(allowed=True, taken=tuple(taken), claims=claimed)


def _add_first_slots(slots: list[tuple[str, float, int]]) -> list[bool]:
    """``add`` of each (key, value, seconds), in one call on the site's
    backends (``caching.calls.add_many``: one round trip to Redis)."""
    return add_many(slots, backend=cache) if slots else []


def release(verdict: Verdict) -> None:
    """Give back the slots of an attempt that in the end was not counted."""
    cache.delete_many(list(verdict.taken))
