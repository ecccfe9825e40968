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

A hit costs one cache read (the page and the purge epoch, one MGET on Redis)
and no SQL, and is answered by ``PageCacheMiddleware`` before sessions, CSRF,
auth or URL routing run. A page is stored as one string of bytes, its status,
headers and body ready to replay (``caching.entries``), not as an object to
unpickle.
Requests with a session cookie (staff) always get a live page; so do
non-GET requests and responses that set cookies or are marked private.
Pages that list published articles live no longer than the next scheduled
publication, so a scheduled piece appears on time in cached lists too.
"""

import hashlib
import logging
import time
from collections.abc import Iterable
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe, urlencode

from caching import coalesce, edge, entries
from caching.calls import read_values
from caching.entries import RETIRED, Entry

logger = logging.getLogger(__name__)

# v4: pages kept as bytes (caching.entries), no longer as pickled tuples.
KEY_PREFIX = "page:v5:"
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


def generations(tags: Iterable[str]) -> dict[str, int]:
    """The current generation of each of ``tags`` (0: never purged), one read."""
    tags = sorted(tags)
    found = cache.get_many([TAG_PREFIX + tag for tag in tags])
    return {tag: found.get(TAG_PREFIX + tag, 0) for tag in tags}


def collecting(request) -> bool:
    """Whether the page being rendered for ``request`` will be stored."""
    return getattr(request, "_page_cache_tags", None) is not None


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
    if not routed:
        return None
    # The key follows from the host as sent, the path and the query string;
    # get_host() (ALLOWED_HOSTS) and the digest run once for each. A host it
    # refuses raises and is never remembered.
    query = request.META.get("QUERY_STRING", "")
    made = (request._get_raw_host(), request.path, query, allowed)
    key = _made_keys.get(made, _UNKNOWN)
    if key is _UNKNOWN:
        key = _key(request, allowed)
        if len(made[1]) + len(query) <= 1024:  # long ones cost the digest
            if len(_made_keys) >= 2048:
                _made_keys.clear()
            _made_keys[made] = key
    return key


# Keys already worked out: (host as sent, path, query string, allowed) -> key.
_made_keys: dict[tuple, str | None] = {}
_UNKNOWN = object()


@receiver(setting_changed)
def _forget_made_keys(**kwargs) -> None:
    """ALLOWED_HOSTS, DEBUG or the URLconf changed (tests): work keys out again."""
    _made_keys.clear()


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
        if key is not None:  # one render per purge (caching.coalesce)
            answer = coalesce.answer(request, key, _lookup, _replay, generations)
            if answer is not None:
                return answer
        request._page_cache_key = key
        try:
            response = self.get_response(request)
            if (
                key is not None
                and getattr(request, "_page_cache_tags", None) is not None
                and _storable(response)
            ):
                packed = entries.compressed(response)
                if packed:
                    patch_vary_headers(response, ("Accept-Encoding",))
                _store(key, request, response, packed)
                response["X-Page-Cache"] = "miss"
                if packed and entries.accepts_gzip(request):
                    entries.send_packed(response, packed)
        finally:
            coalesce.release(getattr(request, "_page_cache_lock", None))
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


def _store(key: str, request, response, packed: bytes = b"") -> None:
    ttl = page_ttl()
    until = getattr(request, "_page_cache_until", None)
    if until is not None:
        ttl = max(1, min(ttl, int((until - timezone.now()).total_seconds()) + 1))
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    try:
        tag_generations = generations(request._page_cache_tags)
        epoch = cache.get(EPOCH_KEY, 0)
        rest_until = 0.0
        if epoch != request._page_cache_epoch:
            if coalesce.unchanged(request, tag_generations):
                # Purges ran meanwhile, none of them of this page's tags: it is
                # current as of the epoch read before it rendered (a hit
                # checks its tags once, then stamps the newer epoch).
                epoch = request._page_cache_epoch
                coalesce.count("kept")
            else:
                # This page's tags were purged while it rendered: it may show
                # what the purge replaced, under generations read after the
                # purge. Serve it, and keep it off the edge; the next reader
                # renders afresh. Kept only as a previous copy (never
                # current), so purges faster than renders still move readers on.
                edge.keep_off_edge(response)
                rest_until = coalesce.rest_until(request) if tag_generations else None
                coalesce.count("overtaken" if rest_until is not None else "dropped")
                if rest_until is None:
                    return
                tag_generations = dict.fromkeys(tag_generations, RETIRED)
                epoch = RETIRED
        blob = Entry.encode(
            status=response.status_code,
            until=time.time() + ttl,
            epoch=epoch,
            generations=tag_generations,
            headers=response.items(),
            content=response.content,
            hard_epoch=getattr(request, "_page_cache_hard_epoch", None),
            rest_until=rest_until,
            packed=packed,
        )
        cache.set(key, blob, ttl)
    except Exception:
        logger.warning("page cache store failed", exc_info=True)


def _lookup(key: str):
    """The stored page if nothing it shows has changed since, and the epoch:
    one read of both; the page's tags only after a purge somewhere."""
    blob, epoch = read_values([key, EPOCH_KEY], backend=cache)
    epoch = epoch or 0
    entry = _decoded(key, blob)
    now = time.time()
    if entry is None or entry.until <= now or entry.epoch == RETIRED:
        return None, epoch
    if entry.epoch == epoch:
        return entry, epoch
    stored = entry.generations
    if stored and generations(stored) != stored:
        return None, epoch
    # Still current: remember that at this epoch, so the next hit is quick.
    cache.set(key, entry.restamp(epoch), max(1, int(entry.until - now)))
    entry.epoch = epoch
    return entry, epoch


# The entries last decoded, by key, for caches that answer a hit with the
# very bytes object they gave the last time until the page changes (Redis's
# per-process copy, caching.mirror): the same bytes are not split again.
# Other caches read new bytes each time, so nothing is kept for them.
_entries: dict[str, Entry] = {}


def _decoded(key: str, blob) -> Entry | None:
    if blob is None:
        return None
    entry = _entries.get(key)
    if entry is not None and entry.blob is blob:
        return entry
    entry = Entry.decode(blob)
    if entry is not None and getattr(cache, "mirrored", False):
        if len(_entries) >= 64:
            _entries.pop(next(iter(_entries)), None)
        _entries[key] = entry
    return entry


def _replay(request, entry) -> HttpResponse:
    status = entry.status
    packed = entry.packed
    if packed and entries.accepts_gzip(request):
        content, headers = packed, entry.gzip_header_store()
    else:
        content, headers = entry.content, entry.header_store()
    if request.method == "HEAD":
        content = b""
    response = HttpResponse(content, status=status)
    # The headers as Django validated and kept them when the page was
    # stored, put back as they were instead of checked again one by one.
    response.headers._store.update(headers)
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
