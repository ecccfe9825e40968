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

Like the page cache, this module knows nothing of the newsroom: the tags and
what a fragment varies by come from ``articles.cache``. A cache outage
degrades to rendering every time.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from caching import pages

KEY_PREFIX = "fragment:v2:"
T = TypeVar("T")


def enabled() -> bool:
    return getattr(settings, "NEWSROOM_FRAGMENT_CACHE", True)


def fragment_key(name: str, generations: dict[str, int], vary: Iterable) -> str:
    """Every fragment is printed in the current language and time zone."""
    shown_in = (get_language(), timezone.get_current_timezone_name())
    raw = repr((name, sorted(generations.items()), tuple(vary), shown_in))
    return KEY_PREFIX + name + ":" + hashlib.sha256(raw.encode()).hexdigest()


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
        try:
            cache.set(key, (time.time() + seconds, value), seconds)
        except Exception:
            pages.logger.warning("fragment cache store failed", exc_info=True)
    return value
