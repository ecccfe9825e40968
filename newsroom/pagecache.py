"""
Whole-page cache for anonymous readers, with tag-based invalidation.

A public page is the same HTML for every anonymous reader (the comment form
carries no token and no reader's own held comments; see the comments app), so
it is rendered once and kept in Django's cache (Redis in production, shared by
every app server). While it renders, the page records what it shows as tags:
``article:12``, ``comments:12``, ``section:3``, ``list:front`` … A change
bumps the generation of exactly the tags it touches, after its transaction
commits; a stored page whose tags moved on is rendered again on the next
request. No page is deleted by pattern and nothing lives in process memory.

A hit costs two cache reads (the page and its tags' generations) and no SQL.
Requests with a session cookie (staff) always get a live page; so do
non-GET requests and responses that set cookies or are marked private.
Pages that list published articles live no longer than the next scheduled
publication, so a scheduled piece appears on time in cached lists too.
"""

import hashlib
import logging
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date

logger = logging.getLogger(__name__)

KEY_PREFIX = "page:v1:"
TAG_PREFIX = "tag:v1:"
ALLOWED_QUERY = {"page"}


def page_ttl() -> int:
    return getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 300)


def cdn_headers(response) -> None:
    """What a CDN in front may do with a public page."""
    max_age = getattr(settings, "NEWSROOM_BROWSER_CACHE_SECONDS", 60)
    patch_cache_control(
        response,
        public=True,
        max_age=max_age,
        s_maxage=page_ttl(),
        stale_while_revalidate=60,
    )


# Tags ---------------------------------------------------------------------------


def add_tags(request, *tags: str) -> None:
    """Record that the page being rendered for ``request`` shows these things."""
    collected = getattr(request, "_page_cache_tags", None)
    if collected is not None:
        collected.update(tags)


def limit_lifetime(request, until) -> None:
    """The page must be rendered again by ``until`` (e.g. a scheduled piece)."""
    if until is None or getattr(request, "_page_cache_tags", None) is None:
        return
    current = getattr(request, "_page_cache_until", None)
    if current is None or until < current:
        request._page_cache_until = until


def _generations(tags: Iterable[str]) -> dict[str, int]:
    tags = sorted(tags)
    found = cache.get_many([TAG_PREFIX + tag for tag in tags])
    return {tag: found.get(TAG_PREFIX + tag, 0) for tag in tags}


def purge(*tags: str) -> None:
    """Make every page that shows any of ``tags`` stale, after commit."""
    tags = tuple(tag for tag in tags if tag)
    if not tags:
        return

    def bump():
        for tag in tags:
            key = TAG_PREFIX + tag
            try:
                if not cache.add(key, 1, timeout=None):
                    cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=None)
            except Exception:
                logger.warning("page cache purge failed for %s", tag, exc_info=True)

    transaction.on_commit(bump)


NEXT_SCHEDULED_KEY = "page:v1:next-scheduled"


def next_scheduled():
    """When the next scheduled piece goes out; read from the database only when
    the cached answer is missing. Scheduling anything forgets the answer."""
    from articles.models import Article

    try:
        value = cache.get(NEXT_SCHEDULED_KEY)
    except Exception:
        return None
    if value is not None:
        return value or None
    when = (
        Article.objects.scheduled()
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    timeout = page_ttl()
    if when is not None:
        timeout = max(1, int((when - timezone.now()).total_seconds()))
    try:
        cache.set(NEXT_SCHEDULED_KEY, when or "", timeout)
    except Exception:
        pass
    return when


def forget_schedule() -> None:
    transaction.on_commit(lambda: _quietly(cache.delete, NEXT_SCHEDULED_KEY))


def _quietly(function, *args):
    try:
        function(*args)
    except Exception:
        logger.warning("page cache call failed", exc_info=True)


def lists_published(request) -> None:
    """This page lists published pieces: it lives until the next one is due."""
    if getattr(request, "_page_cache_tags", None) is not None:
        limit_lifetime(request, next_scheduled())


# The decorator --------------------------------------------------------------------


def _key(request) -> str | None:
    params = request.GET
    if any(name not in ALLOWED_QUERY for name in params):
        return None
    query = "&".join(f"{name}={params[name]}" for name in sorted(params))
    raw = f"{request.get_host()}|{request.path}|{query}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _bypass(request) -> bool:
    return (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or not getattr(settings, "NEWSROOM_PAGE_CACHE", True)
    )


def public_page(view):
    """Serve this view's anonymous GETs from the shared page cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _bypass(request):
            response = view(request, *args, **kwargs)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        try:
            hit = _lookup(key)
        except Exception:  # a cache outage degrades to live pages, logged
            logger.warning("page cache unavailable", exc_info=True)
            hit = None
            key = None  # the cache is down: serve live, do not try to store
        if hit is not None:
            hit["X-Page-Cache"] = "hit"
            return hit
        request._page_cache_tags = set()
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if key is not None and _storable(response):
            _store(key, request, response)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def _storable(response) -> bool:
    control = response.get("Cache-Control", "")
    return (
        # Not 404: a scheduled piece's address must start working on time.
        response.status_code in (200, 301, 410)
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def _store(key: str, request, response) -> None:
    tags = request._page_cache_tags
    ttl = page_ttl()
    until = getattr(request, "_page_cache_until", None)
    if until is not None:
        ttl = max(1, min(ttl, int((until - timezone.now()).total_seconds()) + 1))
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date()
    # Hashed once here, not on every hit by ConditionalGetMiddleware.
    set_response_etag(response)
    cdn_headers(response)
    entry = {
        "response": response,
        "tags": _generations(tags),
        # Checked on every hit too, so expiry does not rest on the cache
        # server's clock alone.
        "until": timezone.now().timestamp() + ttl,
    }
    try:
        cache.set(key, entry, ttl)
    except Exception:
        logger.warning("page cache store failed", exc_info=True)


def _lookup(key: str):
    entry = cache.get(key)
    if entry is None or entry["until"] <= timezone.now().timestamp():
        return None
    stored = entry["tags"]
    if stored and _generations(stored) != stored:
        return None
    return entry["response"]
