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

A hit costs two cache reads (the page and its tags' generations) and no SQL,
and is answered by ``PageCacheMiddleware`` before sessions, CSRF, auth or URL
routing run.
Requests with a session cookie (staff) always get a live page; so do
non-GET requests and responses that set cookies or are marked private.
Pages that list published articles live no longer than the next scheduled
publication, so a scheduled piece appears on time in cached lists too.
"""

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe, urlencode

from caching import edge

logger = logging.getLogger(__name__)

KEY_PREFIX = "page:v3:"
TAG_PREFIX = "page:tag:v1:"
# Moves on with every purge. A page stored at the current epoch cannot have
# been purged since, so a hit checks one number instead of each of its tags.
EPOCH_KEY = "page:v2:epoch"
# The query parameters a page is stored under; anything else is fetched live.
# A view that validates its own parameters (and refuses unknown ones with an
# error, which is never stored) may key on all of them: ``public_page(query=ANY)``.
ALLOWED_QUERY = frozenset({"page"})
ANY = None


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
    if until is None or not collecting(request):
        return
    current = getattr(request, "_page_cache_until", None)
    if current is None or until < current:
        request._page_cache_until = until


def _generations(tags: Iterable[str]) -> dict[str, int]:
    tags = sorted(tags)
    found = cache.get_many([TAG_PREFIX + tag for tag in tags])
    return {tag: found.get(TAG_PREFIX + tag, 0) for tag in tags}


def collecting(request) -> bool:
    """Whether the page being rendered for ``request`` will be stored."""
    return getattr(request, "_page_cache_tags", None) is not None


def purge(*tags: str) -> None:
    """Make every page that shows any of ``tags`` stale, after commit."""
    tags = tuple(tag for tag in tags if tag)
    if tags:
        transaction.on_commit(lambda: purge_now(*tags))


@dataclass
class _Gathered:
    every: float
    tags: set[str] = field(default_factory=set)
    since: float = field(default_factory=time.monotonic)

    def flush(self) -> None:
        tags, self.tags, self.since = self.tags, set(), time.monotonic()
        _purge_now(tuple(sorted(tags)))


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


def purge_now(*tags: str) -> None:
    """Make every page that shows any of ``tags`` stale now (from an on-commit
    hook that has just read what the change touched)."""
    tags = tuple(tag for tag in tags if tag)
    gathered = _gathered.get()
    if gathered is not None and tags:
        gathered.tags.update(tags)
        if time.monotonic() - gathered.since >= gathered.every:
            gathered.flush()
        return
    _purge_now(tags)


def _purge_now(tags: tuple[str, ...]) -> None:
    if not tags:
        return
    # The epoch before the tags, so a page that rendered while this purge
    # ran sees the epoch move and is not stored (see _store); and after
    # them, so a hit that re-checks tags does so once they have moved.
    for key in [EPOCH_KEY, *(TAG_PREFIX + tag for tag in tags), EPOCH_KEY]:
        try:
            if not cache.add(key, 1, timeout=None):
                cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=None)
        except Exception:
            logger.warning("page cache purge failed for %s", key, exc_info=True)
    # Then the edge (caching.edge), once this cache is current: the edge's
    # refetch must not find the page this purge replaced.
    edge.purge(tags)


# The middleware and the decorator ---------------------------------------------------


def _key(request, allowed=ALLOWED_QUERY) -> str | None:
    params = request.GET
    if allowed is not ANY and any(name not in allowed for name in params):
        return None
    # Encoded, so that a value holding "&" or "=" cannot pass for another query.
    query = urlencode(sorted(params.lists()), doseq=True)
    raw = f"{request.get_host()}|{request.path}|{query}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _request_key(request) -> str | None:
    """The key to look ``request`` up under, or None when it is fetched live."""
    if (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or not getattr(settings, "NEWSROOM_PAGE_CACHE", True)
    ):
        return None
    routed, allowed = _public_page_route(settings.ROOT_URLCONF, request.path_info)
    return _key(request, allowed) if routed else None


@lru_cache(maxsize=4096)
def _public_page_route(urlconf: str, path: str) -> tuple[bool, frozenset | None]:
    """Whether ``path`` reaches a ``public_page`` view, so that the reader
    endpoint, search, the admin and other live pages cost no cache lookup,
    and the query parameters that view is stored under.
    Routing is fixed for the life of the process; the answer is not content."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return False, ALLOWED_QUERY
    return (
        getattr(match.func, "public_page", False),
        getattr(match.func, "page_query", ALLOWED_QUERY),
    )


class PageCacheMiddleware:
    """Answer anonymous readers from the page cache before the rest of the
    stack runs, and keep the finished response of every ``public_page``.

    It sits just inside SecurityMiddleware and WhiteNoise: a hit skips
    sessions, CSRF, authentication and URL routing altogether, and what is
    stored is the response as the inner middleware left it (its
    Content-Security-Policy, X-Frame-Options and the like included), so a hit
    is the same page as a miss, byte for byte. SecurityMiddleware adds its
    headers to both on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _request_key(request)
        if key is not None:
            try:
                entry, request._page_cache_epoch = _lookup(key)
            except Exception:  # a cache outage degrades to live pages, logged
                logger.warning("page cache unavailable", exc_info=True)
                entry, key = None, None  # the cache is down: do not store either
            if entry is not None:
                return _replay(request, entry)
        request._page_cache_key = key
        response = self.get_response(request)
        if (
            key is not None
            and getattr(request, "_page_cache_tags", None) is not None
            and _storable(response)
        ):
            _store(key, request, response)
            response["X-Page-Cache"] = "miss"
        return response


def public_page(view=None, *, query=ALLOWED_QUERY):
    """Mark this view's pages as the same for every anonymous reader.

    PageCacheMiddleware stores them; while the view renders, it records what
    the page shows (``add_tags``) so that a change purges exactly its pages.
    A reader with a session (staff) gets a live page marked private.
    ``query`` names the parameters a page is stored under (a request with any
    other is fetched live), or is ``ANY`` for a view that refuses unknown
    parameters itself: there every parameter is part of the key.
    """
    if view is None:
        return lambda view: public_page(view, query=query)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "_page_cache_key", None) is None:
            response = view(request, *args, **kwargs)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        request._page_cache_tags = set()
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if _storable(response):
            if not response.has_header("Last-Modified"):
                response["Last-Modified"] = http_date()
            # Hashed once here, not on every hit.
            set_response_etag(response)
            cdn_headers(response)
            # Surrogate-Key and Cache-Tag, worked out once and stored with the
            # page, so a hit replays them for free.
            edge.tag_response(response, request._page_cache_tags)
        return response

    wrapper.public_page = True
    wrapper.page_query = query if query is ANY else frozenset(query)
    return wrapper


def _storable(response) -> bool:
    control = response.get("Cache-Control", "")
    return (
        # Not 404: a scheduled piece's address must start working on time.
        response.status_code in (200, 301, 410)
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


class Entry(NamedTuple):
    """A stored page: plain values, not the response object, so a hit
    unpickles bytes and strings and builds the response from them."""

    status: int
    headers: list[tuple[str, str]]
    content: bytes
    generations: dict[str, int]  # of the page's tags when it was stored
    # Checked on every hit too, so expiry does not rest on the cache server's
    # clock alone.
    until: float
    epoch: int  # the purge epoch at which the entry was last known current


def _store(key: str, request, response) -> None:
    ttl = page_ttl()
    until = getattr(request, "_page_cache_until", None)
    if until is not None:
        ttl = max(1, min(ttl, int((until - timezone.now()).total_seconds()) + 1))
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    try:
        generations = _generations(request._page_cache_tags)
        epoch = cache.get(EPOCH_KEY, 0)
        if epoch != request._page_cache_epoch:
            # Something was purged while this page rendered: it may show what
            # the purge replaced, under generations read after the purge.
            # Serve it, keep nothing (nor may the edge); the next reader
            # renders afresh.
            edge.keep_off_edge(response)
            return
        entry = Entry(
            status=response.status_code,
            headers=list(response.items()),
            content=response.content,
            generations=generations,
            until=time.time() + ttl,
            epoch=epoch,
        )
        cache.set(key, entry, ttl)
    except Exception:
        logger.warning("page cache store failed", exc_info=True)


def _lookup(key: str):
    """The stored page if nothing it shows has changed since, and the epoch:
    one read of both; the page's tags only after a purge somewhere."""
    found = cache.get_many([key, EPOCH_KEY])
    entry = found.get(key)
    epoch = found.get(EPOCH_KEY, 0)
    now = time.time()
    if entry is None or entry.until <= now:
        return None, epoch
    if entry.epoch == epoch:
        return entry, epoch
    stored = entry.generations
    if stored and _generations(stored) != stored:
        return None, epoch
    # Still current: remember that at this epoch, so the next hit is quick.
    entry = entry._replace(epoch=epoch)
    cache.set(key, entry, max(1, int(entry.until - now)))
    return entry, epoch


def _replay(request, entry) -> HttpResponse:
    status = entry.status
    content = b"" if request.method == "HEAD" else entry.content
    response = HttpResponse(content, status=status)
    for name, value in entry.headers:
        response.headers[name] = value
    response["X-Page-Cache"] = "hit"
    meta = request.META
    if status == 200 and (
        "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta
    ):
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
    return response
