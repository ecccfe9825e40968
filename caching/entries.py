"""
How the page cache keeps a page: one string of bytes, ready to replay.

    b"200 1733350000.000 7 3 0.000 41 590 5713\n"
                                        status, expiry (Unix time), purge epoch,
                                        hard-purge epoch ("-": never stale),
                                        rest until (caching.coalesce), then
                                        the lengths of the next two parts and
                                        of the compressed body (0: none)
    b'{"article:12":3,"nav":1}'         the page's tags' generations (JSON)
    b"Content-Type: text/html...\r\n"   the headers, as Django validated them
    b"<!DOCTYPE html>..."               the body
    b"\x1f\x8b..."                       the body gzip-compressed, if it pays

A hit reads the first line and slices the rest: no object is rebuilt from a
pickle, the generations are parsed only after a purge somewhere (when the
epoch has moved), and the headers go back into the response as Django had
already checked them. The cache keeps these bytes as it keeps any value.

The body is compressed once, when the page is stored, for readers whose
browser accepts gzip (all of them): an article of 21 kB goes as 6 kB, one
with 1,200 comments (62 kB) as 9 kB, for no work on a hit. A page
served from the cache carries no secret (no CSRF token, no session), so
compressing it tells an attacker nothing (BREACH).
"""

import gzip
import json
import re

# The epoch and generations of a page kept only as a previous copy
# (``caching.coalesce``): no purge makes them, so it is never current.
RETIRED = -1

# Worth compressing: text, and only above the size where gzip's own header
# and a second packet's saving stop mattering.
COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|problem\+json|xml|rss\+xml|atom\+xml|javascript)|"
    r"image/svg\+xml)"
)
COMPRESS_FROM = 1024
COMPRESS_LEVEL = 6  # zlib's default: 21 kB in 0.45 ms; level 9 saves 1 % more
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads it


def compressed(response) -> bytes:
    """The response's body gzip-compressed, or b"" where that does not pay."""
    content = response.content
    if (
        len(content) < COMPRESS_FROM
        or response.has_header("Content-Encoding")
        or not COMPRESSIBLE.match(response.get("Content-Type", ""))
    ):
        return b""
    packed = gzip.compress(content, compresslevel=COMPRESS_LEVEL, mtime=0)
    return packed if len(packed) < len(content) * 0.9 else b""


def accepts_gzip(request) -> bool:
    return bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def as_gzip(headers: dict) -> dict:
    """Django's header store for the compressed body, from the plain one's:
    its encoding, and a weak ETag (the same page, other bytes), as Django's
    GZipMiddleware does. Content-Length is set by the caller."""
    gzipped = dict(headers)
    gzipped["content-encoding"] = ("Content-Encoding", "gzip")
    name, etag = gzipped.get("etag", ("ETag", ""))
    if etag and not etag.startswith("W/"):
        gzipped["etag"] = (name, f"W/{etag}")
    return gzipped


def send_packed(response, packed: bytes) -> None:
    """Turn the page just stored into its compressed copy, as a hit sends it."""
    response.content = packed
    response.headers._store.update(as_gzip(response.headers._store))
    response["Content-Length"] = str(len(packed))


class Entry:
    """A stored page, read from its bytes (``Entry.decode``)."""

    __slots__ = (
        "_blob",
        "_body",
        "_content",
        "_gzip",
        "_gzip_headers",
        "_gzip_start",
        "_headers",
        "_heads",
        "_start",
        "epoch",
        "hard_epoch",
        "rest_until",
        "status",
        "until",
    )

    def __init__(self, blob: bytes, first: tuple, start, heads, body, gzip_start):
        self._blob = blob
        self.status, self.until, self.epoch, self.hard_epoch, self.rest_until = first
        self._start, self._heads, self._body = start, heads, body
        self._gzip_start = gzip_start
        # Split out on first use, kept for the next replay of the same entry.
        self._content = self._headers = self._gzip = self._gzip_headers = None

    @property
    def blob(self) -> bytes:
        """The bytes this entry was read from."""
        return self._blob

    @staticmethod
    def _tags(generations: dict[str, int]) -> bytes:
        return json.dumps(generations, separators=(",", ":"), sort_keys=True).encode()

    @staticmethod
    def _first_line(status, until, epoch, hard_epoch, rest_until, tags, head, packed):
        hard = "-" if hard_epoch is None else str(hard_epoch)
        return (
            f"{status} {until:.3f} {epoch} {hard} {rest_until:.3f}"
            f" {tags} {head} {packed}\n"
        ).encode()

    @staticmethod
    def encode(
        *,
        status: int,
        until: float,
        epoch: int,
        generations: dict,
        headers,
        content,
        hard_epoch: int | None = None,
        rest_until: float = 0.0,
        packed: bytes = b"",
    ) -> bytes:
        tags = Entry._tags(generations)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers)
        # Django's header values are latin-1 already (it MIME-encodes others).
        head = lines.encode("latin-1")
        first = Entry._first_line(
            status,
            until,
            epoch,
            hard_epoch,
            rest_until,
            len(tags),
            len(head),
            len(packed),
        )
        return b"".join((first, tags, head, content, packed))

    @classmethod
    def decode(cls, blob) -> "Entry | None":
        """The entry kept in ``blob``, or None for anything else (a miss)."""
        try:
            end = blob.index(b"\n")
            status, until, epoch, hard, rest, tags, head, packed = blob[:end].split()
            start = end + 1
            heads = start + int(tags)
            body = heads + int(head)
            gzip_start = len(blob) - int(packed)
            if not start <= heads <= body <= gzip_start <= len(blob):
                return None
            first = (
                int(status),
                float(until),
                int(epoch),
                None if hard == b"-" else int(hard),
                float(rest),
            )
            return cls(blob, first, start, heads, body, gzip_start)
        except (AttributeError, TypeError, ValueError):
            return None

    @property
    def generations(self) -> dict[str, int]:
        return json.loads(self._blob[self._start : self._heads])

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = self._blob[self._body : self._gzip_start]
        return self._content

    @property
    def packed(self) -> bytes:
        """The body gzip-compressed, or b"" if it was not worth it."""
        if self._gzip is None:
            self._gzip = self._blob[self._gzip_start :]
        return self._gzip

    def header_store(self) -> dict[str, tuple[str, str]]:
        """The headers in the shape Django's ``ResponseHeaders`` keeps them
        (lower-case name: (name, value)). Callers copy it, never change it."""
        if self._headers is None:
            store = {}
            text = self._blob[self._heads : self._body].decode("latin-1")
            for line in text.split("\r\n")[:-1]:
                name, _sep, value = line.partition(": ")
                store[name.lower()] = (name, value)
            self._headers = store
        return self._headers

    def gzip_header_store(self) -> dict[str, tuple[str, str]]:
        """``header_store`` for the compressed body."""
        if self._gzip_headers is None:
            gzipped = as_gzip(self.header_store())
            gzipped["content-length"] = ("Content-Length", str(len(self.packed)))
            self._gzip_headers = gzipped
        return self._gzip_headers

    def retired(self) -> bytes:
        """The same entry kept only as a previous copy (``RETIRED``), so that
        a hit tells it is not current without reading its tags."""
        tags = self._tags(dict.fromkeys(self.generations, RETIRED))
        first = self._first_line(
            self.status,
            self.until,
            RETIRED,
            self.hard_epoch,
            self.rest_until,
            len(tags),
            self._body - self._heads,
            len(self._blob) - self._gzip_start,
        )
        return first + tags + self._blob[self._heads :]

    def restamp(self, epoch: int) -> bytes:
        """The same entry, known current at ``epoch``: a new first line."""
        tags, head = self._heads - self._start, self._body - self._heads
        first = self._first_line(
            self.status,
            self.until,
            epoch,
            self.hard_epoch,
            self.rest_until,
            tags,
            head,
            len(self._blob) - self._gzip_start,
        )
        return first + self._blob[self._start :]
