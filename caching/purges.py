"""
Purges: a change makes stale every page that shows one of its tags, by moving
the tags' generations on (``caching.pages`` compares them on a hit), then tells
the edge (``caching.edge``). ``articles.cache`` decides which tags a change
touches and whether the purge is soft (``caching.coalesce``); this module only
carries it out, after commit, or gathered for a bulk import.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from caching import coalesce, edge
from caching.backend import CacheUnavailable
from caching.calls import incr_or_start_many
from caching.pages import EPOCH_KEY, TAG_PREFIX

logger = logging.getLogger(__name__)


def purge(*tags: str, soft: bool = False) -> None:
    """Make every page that shows any of ``tags`` stale, after commit.

    ``soft``: the change only added to those pages (a comment approved), so
    while one request renders a page again, other readers may still get its
    previous copy (caching.coalesce). Hard, the default, forbids that.
    """
    tags = tuple(tag for tag in tags if tag)
    if tags:
        transaction.on_commit(lambda: purge_now(*tags, soft=soft))


@dataclass
class _Gathered:
    every: float
    tags: set[str] = field(default_factory=set)
    soft: bool = True  # every purge gathered so far was soft
    since: float = field(default_factory=time.monotonic)

    def flush(self) -> None:
        tags, soft = self.tags, self.soft
        self.tags, self.soft, self.since = set(), True, time.monotonic()
        _purge_now(tuple(sorted(tags)), soft=soft)


_gathered: ContextVar[_Gathered | None] = ContextVar("purges", default=None)


@contextmanager
def purges_gathered(*, every: float = 30.0) -> Iterator[None]:
    """Purges asked for inside the block are made together: once at its end,
    and once every ``every`` seconds before that. An import that writes a
    thousand batches moves each list's tag a few times, not once a batch;
    its pages may lag by ``every`` seconds meanwhile. Does not nest."""
    gathered = _Gathered(every=every)
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
        gathered.flush()


def purge_now(*tags: str, soft: bool = False) -> None:
    """Make every page that shows any of ``tags`` stale now (from an on-commit
    hook that has just read what the change touched); ``soft`` as in ``purge``."""
    tags = tuple(tag for tag in tags if tag)
    gathered = _gathered.get()
    if gathered is not None and tags:
        gathered.tags.update(tags)
        gathered.soft = gathered.soft and soft  # one hard purge makes it hard
        if time.monotonic() - gathered.since >= gathered.every:
            gathered.flush()
        return
    _purge_now(tags, soft=soft)


def _purge_now(tags: tuple[str, ...], *, soft: bool = False) -> None:
    if not tags:
        return
    # A hard purge retires every previous copy first, before any reader can
    # see a tag move (caching.coalesce). The epoch before the tags, so a page
    # that rendered while this purge ran sees the epoch move and is not
    # stored as current (see _store); and after them, so a hit that re-checks
    # tags does so once they have moved.
    hard = () if soft else (coalesce.HARD_EPOCH_KEY,)
    _bump([*hard, EPOCH_KEY, *(TAG_PREFIX + tag for tag in tags), EPOCH_KEY])
    # Then the edge (caching.edge), once this cache is current: the edge's
    # refetch must not find the page this purge replaced.
    edge.purge(tags)


def _bump(keys: list[str]) -> None:
    """Add one to each counter in order, starting a missing one at 1, never
    to expire: one call on the site's backends (``incr_or_start_many``: one
    round trip to Redis, one statement a key on the disk cache)."""
    try:
        incr_or_start_many(keys, timeout=None, backend=cache)
    except CacheUnavailable:
        pass  # logged once by the backend; the pages expire meanwhile
    except Exception:
        logger.warning("page cache purge failed for %s", keys, exc_info=True)
