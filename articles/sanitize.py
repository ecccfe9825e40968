"""Server-side allow-list for article bodies.

The body is written in CKEditor 4, which is out of upstream support, and is
often pasted from Word or Google Docs. Nothing the editor or a pasted document
produces is trusted: the editor's own filtering is a convenience, while the
server keeps the allow-list. ``Article.save()`` runs every body through
:func:`sanitize_body`, which keeps only the tags, attributes and link schemes
listed here, limits images to files we serve from ``MEDIA_URL`` (a path on
this site, or the absolute address of our bucket or its CDN) and is
idempotent, so cleaning an already-clean body changes nothing. The same rule
holds inside ``srcset``: every candidate is one of our files with a width
descriptor (the ``<picture>`` of renditions ``articles.images.body`` writes),
or the whole attribute goes.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote

import nh3
from django.conf import settings

# No h1 (the page's h1 is the headline) and no span/div/font: for any tag not
# listed, nh3 drops the tag and keeps its text.
ALLOWED_TAGS: Final[frozenset[str]] = frozenset(
    "p br h2 h3 h4 strong b em i u s sub sup hr blockquote pre code ul ol li a img"
    " figure figcaption table caption thead tbody tfoot tr th td picture source".split()
)

# The empty "*" entry matters: without it nh3 keeps its default generic
# attributes (lang and title) on every tag.
ALLOWED_ATTRIBUTES: Final[dict[str, frozenset[str]]] = {
    "*": frozenset(),
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "width", "height"}),
    "source": frozenset({"srcset", "sizes", "type"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "td": frozenset({"colspan", "rowspan"}),
}

URL_SCHEMES: Final[frozenset[str]] = frozenset({"http", "https", "mailto", "tel"})

# Elements whose content is code, raw text or embedded documents, never prose:
# the tag and everything inside it go.
CLEAN_CONTENT_TAGS: Final[frozenset[str]] = frozenset(
    "script style template iframe object noscript noembed noframes textarea title"
    " xmp".split()
)

LINK_REL: Final = "noopener noreferrer"

SOURCE_TYPES: Final[frozenset[str]] = frozenset(
    {"image/webp", "image/jpeg", "image/png"}
)

TABLE_SCOPES: Final[frozenset[str]] = frozenset({"row", "col", "rowgroup", "colgroup"})

_DIGITS = re.compile(r"[0-9]{1,6}")
_SIGNED_DIGITS = re.compile(r"-?[0-9]{1,6}")
# nh3 serialises every attribute value in double quotes and escapes '"', '<'
# and '>' inside values and text, so these only ever match real tags.
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_HAS_SRC = re.compile(r'\ssrc="')
_SOURCE_TAG = re.compile(r"<source\b[^>]*>")
_HAS_SRCSET = re.compile(r'\ssrcset="')
_WIDTH_DESCRIPTOR = re.compile(r"[0-9]{1,5}w")
# A media condition and lengths: no quotes, slashes or anything a URL needs.
_SIZES = re.compile(r"[0-9a-z(),.:%\s-]{1,200}")


def sanitize_body(html: str | None) -> str:
    """Return ``html`` reduced to the article-body allow-list ("" if empty)."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=URL_SCHEMES,
    )
    # An image whose src was refused is removed as a whole, and so is a
    # <source> left without a srcset.
    cleaned = _IMG_TAG.sub(_keep_if_src, cleaned)
    cleaned = _SOURCE_TAG.sub(_keep_if_srcset, cleaned)
    # "&#13;" comes out as a bare carriage return, which the next parse turns
    # into a line feed: write the line feed now so a second pass changes
    # nothing (found by the XSS corpus in tests/security).
    cleaned = cleaned.replace("\r", "\n")
    # The parser drops one newline right after <pre>, and nh3 does not add it
    # back when serialising: do it here so a second pass changes nothing.
    return cleaned.replace("<pre>\n", "<pre>\n\n")


_SPACE = re.compile(r"\s+")
_SPACE_BETWEEN_TAGS = re.compile(r">\s+<")


def same_body(old: str | None, new: str | None) -> bool:
    """Whether two bodies would be stored the same, give or take the layout
    whitespace CKEditor adds between blocks: a save that only passes the body
    back through the editor did not change it (and must not log "Changed
    Body")."""

    def normalised(html):
        cleaned = _SPACE.sub(" ", sanitize_body(html)).strip()
        return _SPACE_BETWEEN_TAGS.sub("><", cleaned)

    return normalised(old) == normalised(new)


def _keep_if_src(match: re.Match[str]) -> str:
    tag = match.group(0)
    return tag if _HAS_SRC.search(tag) else ""


def _keep_if_srcset(match: re.Match[str]) -> str:
    tag = match.group(0)
    return tag if _HAS_SRCSET.search(tag) else ""


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Check attribute values nh3 cannot check itself; None drops the attribute.

    nh3 calls this after its own tag, attribute and URL-scheme checks for
    allowed tags (and also for attributes it is about to drop, and for the
    ``rel`` it adds), so anything not handled here is returned unchanged.
    """
    if tag in {"img", "source"}:
        if name == "src":
            return value if _is_media_path(value) else None
        if name == "srcset":
            return _media_srcset(value)
        if name == "sizes":
            return value if _SIZES.fullmatch(value) else None
        if name == "type":
            return value if value in SOURCE_TYPES else None
        if name in {"width", "height"}:
            return _integer_in_range(value, 1, 4000)
    elif tag in {"th", "td"} and name in {"colspan", "rowspan"}:
        return _integer_in_range(value, 1, 100)
    elif tag == "th" and name == "scope":
        scope = value.strip().lower()
        return scope if scope in TABLE_SCOPES else None
    elif tag == "ol" and name == "start":
        start = value.strip()
        return str(int(start)) if _SIGNED_DIGITS.fullmatch(start) else None
    return value


def _media_srcset(value: str) -> str | None:
    """``value`` if every candidate is "<one of our files> <N>w", else None."""
    candidates = []
    for candidate in value.split(","):
        parts = candidate.split()
        if len(parts) != 2 or not _WIDTH_DESCRIPTOR.fullmatch(parts[1]):
            return None
        if not _is_media_path(parts[0]):
            return None
        candidates.append(" ".join(parts))
    return ", ".join(candidates) if candidates else None


def _integer_in_range(value: str, low: int, high: int) -> str | None:
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return str(number) if low <= number <= high else None


def _is_media_path(src: str) -> bool:
    """True for an address under ``settings.MEDIA_URL`` (an image we serve).

    With a local MEDIA_URL ("/media/") that is a plain path on this site; with
    an absolute one (a bucket or its CDN, "https://media.example/news/") the
    address must start with exactly that scheme, host and path. Either way the
    rest may not climb out of it ("..", also percent-encoded) or hold anything
    a browser would rewrite (backslashes, whitespace, control characters).
    """
    prefix = getattr(settings, "MEDIA_URL", None) or "/media/"
    if not prefix.endswith("/"):
        prefix += "/"
    if not _is_absolute_http(prefix) and not prefix.startswith("/"):
        return False
    # A local prefix never matches "//host" (a protocol-relative address).
    if src.startswith("//") or not src.startswith(prefix):
        return False
    if "\\" in src or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in src):
        return False
    path = src[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    # Browsers also treat "%2e%2e" as "..".
    return all(unquote(segment) != ".." for segment in path.split("/"))


def _is_absolute_http(url: str) -> bool:
    """An http(s) address with a host, ending its host with "/"."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return scheme in {"http", "https"} and bool(host) and "@" not in host
