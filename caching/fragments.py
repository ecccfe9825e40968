"""
Parts of pages kept in the shared cache, made stale by the same tags as pages.

A page that is rendered anyway (the page cache is off, a reader with a
session, the first reader after a purge) need not render again what has not
changed: an article's comment section, its related articles. A fragment is
stored under a key made of the generations of the tags it shows (the
numbers ``caching.purges.purge_now`` bumps) and of whatever else it varies by,
so a purge of any of those tags moves the key on and the next render misses.
Nothing is deleted and nothing lives in process memory; an old key simply
expires (``pages.page_ttl``).

Reading the generations **before** the data the fragment shows is what makes
this safe: a purge after that read moves the key on, so a fragment rendered
from data older than a purge is stored under a key nobody asks for again.
Values the caller read before (from the page's own row) go into ``vary``.

A page that shows several fragments reads them all at once (``read_many``):
one read of the shared cache (one MGET on Redis) brings every fragment and
the current generation of every tag they show. Such an entry keeps the
generations it was rendered under beside its value and counts only while
they are still current; it is stored with the generations read before its
data, so the same rule holds.

Like the page cache, this module knows nothing of the newsroom: the tags and
what a fragment varies by come from ``articles.cache``. A cache outage
degrades to rendering every time.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from caching import pages
from caching.calls import read_values as _read

KEY_PREFIX = "fragment:v2:"
# Entries read by ``read_many``: (deadline, generations, check, value).
ENTRY_PREFIX = "fragment:v3:"
T = TypeVar("T")


def enabled() -> bool:
    return getattr(settings, "NEWSROOM_FRAGMENT_CACHE", True)


def fragment_key(
    name: str, generations: dict[str, int], vary: Iterable, prefix: str = KEY_PREFIX
) -> str:
    """Every fragment is printed in the current language and time zone."""
    shown_in = (get_language(), timezone.get_current_timezone_name())
    raw = repr((name, sorted(generations.items()), tuple(vary), shown_in))
    return prefix + name + ":" + hashlib.sha256(raw.encode()).hexdigest()


def cached(
    name: str,
    *,
    tags: Iterable[str],
    vary: Iterable,
    render: Callable[[], T],
    lifetime: Callable[[], int] = pages.page_ttl,
) -> T:
    """What ``render()`` returns (HTML, or HTML with what it shows), from the
    shared cache while none of ``tags`` was purged and ``vary`` is the same;
    ``render`` runs otherwise and must read its data only when called (after
    the generations). The value must pickle.

    It is kept ``lifetime()`` seconds (nothing is kept at 0). The deadline is
    stored with the value and checked here, as the page cache does, so expiry
    does not rest on the cache server's clock alone."""
    if not enabled():
        return render()
    try:
        key = fragment_key(name, pages.generations(tags), vary)
        found = cache.get(key)
    except Exception:  # an outage renders live, logged once per call
        pages.logger.warning("fragment cache unavailable", exc_info=True)
        return render()
    if found is not None and found[0] > time.time():
        return found[1]
    value, seconds = render(), lifetime()
    if seconds > 0:
        _store(key, (time.time() + seconds, value), seconds)
    return value


@dataclass
class Fragment:
    """One fragment of a page read with the others (``read_many``): stale
    when one of ``tags`` is purged, keyed by ``vary``. ``check`` (given to
    ``value``) is what the fragment also depends on but only its renderer
    knows; it is stored with the value and compared, not part of the key."""

    name: str
    tags: tuple[str, ...]
    vary: tuple
    key: str = ""
    # The tags' generations as read; None: not read, so nothing is stored.
    generations: dict[str, int] | None = None
    entry: tuple | None = field(default=None, repr=False)


def read_many(*wanted: Fragment) -> None:
    """Look up every fragment in ``wanted`` and the generations of all their
    tags in one read of the shared cache; each keeps what was found."""
    if not enabled():
        return
    tags = sorted({tag for fragment in wanted for tag in fragment.tags})
    for fragment in wanted:
        fragment.key = fragment_key(fragment.name, {}, fragment.vary, ENTRY_PREFIX)
    keys = [fragment.key for fragment in wanted]
    try:
        values = _read([*keys, *(pages.TAG_PREFIX + tag for tag in tags)])
    except Exception:  # an outage renders live
        pages.logger.warning("fragment cache unavailable", exc_info=True)
        return
    current = dict(
        zip(tags, [value or 0 for value in values[len(keys) :]], strict=True)
    )
    now = time.time()
    for fragment, entry in zip(wanted, values[: len(keys)], strict=True):
        fragment.generations = {tag: current[tag] for tag in fragment.tags}
        # Anything else under the key (another format, a damaged value) misses.
        if (
            isinstance(entry, tuple)
            and len(entry) == 4
            and entry[0] > now
            and entry[1] == fragment.generations
        ):
            fragment.entry = entry


def value(fragment: Fragment, *, render: Callable[[], T], check: Any = None) -> T:
    """The fragment's value as ``read_many`` found it, if stored with the same
    ``check``; otherwise what ``render()`` returns (reading its data only
    now), stored under the generations read before."""
    if fragment.entry is not None and fragment.entry[2] == check:
        return fragment.entry[3]
    rendered, seconds = render(), pages.page_ttl()
    if fragment.generations is not None and seconds > 0:
        entry = (time.time() + seconds, fragment.generations, check, rendered)
        _store(fragment.key, entry, seconds)
    return rendered


def _store(key: str, entry: tuple, seconds: int) -> None:
    try:
        cache.set(key, entry, seconds)
    except Exception:  # the page is served all the same
        pages.logger.warning("fragment cache store failed", exc_info=True)
