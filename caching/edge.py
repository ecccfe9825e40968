"""
Purges that reach the edge: a Varnish, Fastly or Cloudflare cache in front of
the app. Knows nothing of the newsroom: it carries the page cache's tags out
in response headers and sends the same tags to the edge when they are purged.

**Headers.** A stored public page carries its tags in the one header the
edge that ``EDGE_PURGE`` names reads: ``Surrogate-Key`` (space-separated:
Varnish's xkey vmod, Fastly) or ``Cache-Tag`` (comma-separated: Cloudflare);
none without an edge to purge, since nothing would read them. They are worked
out once, when the page is rendered for the page cache, and replayed with it.
Each tag becomes an *edge key* (``edge_key``): our tags (``article:12``,
``list:section:3``) are short lowercase ASCII and pass unchanged, after an
optional site prefix (``EDGE_KEY_PREFIX``, for several sites on one CDN
service); anything else (a character a CDN might split on or fold, or more than
64 characters) is replaced by a digest, the same at render and at purge. A page
whose keys would not fit in ``HEADER_BUDGET`` bytes is told not to be kept at
the edge at all (``s-maxage=0``): a copy the edge cannot purge would go stale.

**Purges.** ``purge`` is called by ``caching.purges.purge_now``, after commit and
after the page cache's own purge (so the edge's refetch finds a fresh page),
with each key once. The adapter named by ``EDGE_PURGE`` sends it: ``none`` (the
default), ``varnish`` (a ``PURGE`` with an ``xkey-purge`` header to every host
in ``EDGE_PURGE_URLS``), ``fastly`` and ``cloudflare`` (their purge-by-key APIs;
built as documented, not tested against the services). Every request has a
timeout; a failure is logged, never raised, and handed to the retry hook
(``NEWSROOM_EDGE_PURGE_RETRY``, a dotted path), which a job engine can point at
a task that calls ``send`` (which does raise) with backoff.
"""

import hashlib
import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SURROGATE_KEY = "Surrogate-Key"
CACHE_TAG = "Cache-Tag"
# Below Varnish's default http_resp_hdr_len (8 KiB), and half of the 16 KB that
# Fastly's Surrogate-Key and Cloudflare's Cache-Tag allow.
HEADER_BUDGET = 8000
# Safe in any header and for every CDN: no separators (space, comma), no case
# to fold (Cloudflare's tags are case-insensitive), well under the length
# limits (Fastly: 1 KB a key; Akamai: 128 characters a tag).
SAFE_KEY = re.compile(r"[a-z0-9][a-z0-9:._-]{0,63}")


def edge_key(tag: str) -> str:
    """The key a tag is sent to the edge under, in headers and in purges."""
    key = getattr(settings, "NEWSROOM_EDGE_KEY_PREFIX", "") + tag
    if SAFE_KEY.fullmatch(key):
        return key
    return "h-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def edge_keys(tags: Iterable[str]) -> list[str]:
    """Each tag's key once, in a stable order."""
    return sorted({edge_key(tag) for tag in tags if tag})


def tag_response(response, tags: Iterable[str]) -> None:
    """Put the page's tags in the header the configured edge reads (or keep
    the page off the edge if they do not fit). Called once per rendered page,
    never on a hit; with no edge to purge (``EDGE_PURGE=none``), nothing."""
    adapter = ADAPTERS[getattr(settings, "NEWSROOM_EDGE_PURGE", "none")]
    keys = edge_keys(tags) if adapter.header else None
    if not keys:
        return
    value = adapter.separator.join(keys)
    if len(value) > HEADER_BUDGET:
        logger.info("%d edge keys do not fit a header; not kept at the edge", len(keys))
        keep_off_edge(response)
        return
    response[adapter.header] = value


def keep_off_edge(response) -> None:
    """This response may be served, but no shared cache may keep it."""
    from django.utils.cache import patch_cache_control

    patch_cache_control(response, s_maxage=0)


# Requests and adapters --------------------------------------------------------------


class EdgeError(Exception):
    """A purge that did not reach (all of) the edge."""


@dataclass(frozen=True)
class PurgeRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _chunks(keys: list[str], *, count: int, length: int = 0) -> list[list[str]]:
    """Split ``keys`` into groups of at most ``count`` keys and, when
    ``length`` is given, at most that many characters joined by spaces."""
    groups, current, size = [], [], 0
    for key in keys:
        grows = len(key) + (1 if current else 0)
        if current and (len(current) >= count or (length and size + grows > length)):
            groups.append(current)
            current, size, grows = [], 0, len(key)
        current.append(key)
        size += grows
    if current:
        groups.append(current)
    return groups


class Edge:
    """No edge in front: nothing to send, and no header to tag pages with."""

    name = "none"
    # The response header this edge reads a page's keys from, and how they
    # are joined in it.
    header = ""
    separator = " "

    def __init__(self, *, urls=(), timeout: float = 2.0, **options):
        self.urls = [url.rstrip("/") for url in urls]
        self.timeout = timeout
        self.options = options

    def requests(self, keys: list[str]) -> list[PurgeRequest]:
        return []

    def send(self, keys: Iterable[str]) -> int:
        """Send the purge of ``keys``; raise ``EdgeError`` naming every request
        that failed (the others have been sent). Returns the requests sent."""
        built = self.requests(sorted(set(keys)))
        failures = []
        for request in built:
            try:
                self._send(request)
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{request.method} {request.url}: {error}")
        if failures:
            raise EdgeError("; ".join(failures))
        return len(built)

    def _send(self, request: PurgeRequest) -> None:
        outgoing = urllib.request.Request(
            request.url,
            data=request.body or None,
            headers=request.headers,
            method=request.method,
        )
        # urlopen raises HTTPError (an OSError) for any answer that is not 2xx.
        with urllib.request.urlopen(outgoing, timeout=self.timeout) as answer:
            answer.read()


class Varnish(Edge):
    """Varnish with the xkey vmod (deploy/varnish/default.vcl): one ``PURGE``
    per host with the keys space-separated in ``xkey-purge``, split so that no
    header passes Varnish's default request-header limit."""

    name = "varnish"
    header = SURROGATE_KEY  # deploy/varnish/default.vcl copies it to xkey
    HEADER = "xkey-purge"
    HEADER_LENGTH = 4000

    def requests(self, keys):
        return [
            PurgeRequest("PURGE", f"{url}/", {self.HEADER: " ".join(group)})
            for url in self.urls
            for group in _chunks(keys, count=len(keys), length=self.HEADER_LENGTH)
        ]


class Fastly(Edge):
    """Fastly's batch purge by surrogate key (up to 256 keys a request).
    Built as Fastly documents it; not tested against Fastly."""

    name = "fastly"
    header = SURROGATE_KEY
    API = "https://api.fastly.com"
    BATCH = 256

    def requests(self, keys):
        api = self.urls[0] if self.urls else self.API
        service = self.options["service_id"]
        headers = {
            "Fastly-Key": self.options["token"],
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        return [
            PurgeRequest(
                "POST",
                f"{api}/service/{service}/purge",
                headers,
                json.dumps({"surrogate_keys": group}).encode(),
            )
            for group in _chunks(keys, count=self.BATCH)
        ]


class Cloudflare(Edge):
    """Cloudflare's purge by cache tag (30 tags a request, the smallest limit
    its plans have had). Built as Cloudflare documents it; not tested against
    Cloudflare."""

    name = "cloudflare"
    header, separator = CACHE_TAG, ","
    API = "https://api.cloudflare.com/client/v4"
    BATCH = 30

    def requests(self, keys):
        api = self.urls[0] if self.urls else self.API
        zone = self.options["zone_id"]
        headers = {
            "Authorization": f"Bearer {self.options['token']}",
            "Content-Type": "application/json",
        }
        return [
            PurgeRequest(
                "POST",
                f"{api}/zones/{zone}/purge_cache",
                headers,
                json.dumps({"tags": group}).encode(),
            )
            for group in _chunks(keys, count=self.BATCH)
        ]


ADAPTERS = {adapter.name: adapter for adapter in (Edge, Varnish, Fastly, Cloudflare)}


def current() -> Edge:
    """The adapter the settings choose (``EDGE_PURGE`` and its variables)."""
    name = getattr(settings, "NEWSROOM_EDGE_PURGE", "none")
    options = {
        "fastly": {
            "service_id": getattr(settings, "NEWSROOM_EDGE_FASTLY_SERVICE_ID", ""),
            "token": getattr(settings, "NEWSROOM_EDGE_FASTLY_TOKEN", ""),
        },
        "cloudflare": {
            "zone_id": getattr(settings, "NEWSROOM_EDGE_CLOUDFLARE_ZONE_ID", ""),
            "token": getattr(settings, "NEWSROOM_EDGE_CLOUDFLARE_TOKEN", ""),
        },
    }.get(name, {})
    return ADAPTERS[name](
        urls=getattr(settings, "NEWSROOM_EDGE_PURGE_URLS", ()),
        timeout=getattr(settings, "NEWSROOM_EDGE_PURGE_TIMEOUT", 2.0),
        **options,
    )


def purge(tags: Iterable[str]) -> None:
    """Purge ``tags`` at the edge, each once. Never raises: a failure is logged
    and handed to the retry hook. Called after commit, by ``purges.purge_now``."""
    try:
        edge = current()
        if edge.name == "none":
            return
        keys = edge_keys(tags)
        if keys:
            edge.send(keys)
    except Exception as error:  # an edge outage never fails a request
        logger.warning(
            "edge purge failed (%s); keys: %s",
            error,
            " ".join(edge_keys(tags)),
            exc_info=not isinstance(error, EdgeError),
        )
        _hand_to_retry(edge_keys(tags))


def _hand_to_retry(keys: list[str]) -> None:
    """The hook for a job engine: ``NEWSROOM_EDGE_PURGE_RETRY`` names a callable
    taking ``keys=``; it should queue a job that calls ``current().send(keys)``
    (which raises on failure) with retries and backoff."""
    hook = getattr(settings, "NEWSROOM_EDGE_PURGE_RETRY", "")
    if not hook:
        return
    try:
        import_string(hook)(keys=keys)
    except Exception:
        logger.warning("edge purge retry hook %s failed", hook, exc_info=True)
