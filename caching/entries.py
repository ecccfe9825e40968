"""
How the page cache keeps a page: one string of bytes, ready to replay.

    b"200 1733350000.000 7 3 0.000 41 590\n"
                                        status, expiry (Unix time), purge epoch,
                                        hard-purge epoch ("-": never stale),
                                        rest until (caching.coalesce), then
                                        the lengths of the next two parts
    b'{"article:12":3,"nav":1}'         the page's tags' generations (JSON)
    b"Content-Type: text/html...\r\n"   the headers, as Django validated them
    b"<!DOCTYPE html>..."               the body

A hit reads the first line and slices the rest: no object is rebuilt from a
pickle, the generations are parsed only after a purge somewhere (when the
epoch has moved), and the headers go back into the response as Django had
already checked them. The cache keeps these bytes as it keeps any value.
"""

import json

# The epoch and generations of a page kept only as a previous copy
# (``caching.coalesce``): no purge makes them, so it is never current.
RETIRED = -1


class Entry:
    """A stored page, read from its bytes (``Entry.decode``)."""

    __slots__ = (
        "_blob",
        "_body",
        "_content",
        "_headers",
        "_heads",
        "_start",
        "epoch",
        "hard_epoch",
        "rest_until",
        "status",
        "until",
    )

    def __init__(self, blob: bytes, first: tuple, start, heads, body):
        self._blob = blob
        self.status, self.until, self.epoch, self.hard_epoch, self.rest_until = first
        self._start, self._heads, self._body = start, heads, body
        # Split out on first use, kept for the next replay of the same entry.
        self._content = self._headers = None

    @property
    def blob(self) -> bytes:
        """The bytes this entry was read from."""
        return self._blob

    @staticmethod
    def _tags(generations: dict[str, int]) -> bytes:
        return json.dumps(generations, separators=(",", ":"), sort_keys=True).encode()

    @staticmethod
    def _first_line(status, until, epoch, hard_epoch, rest_until, tags, head):
        hard = "-" if hard_epoch is None else str(hard_epoch)
        return (
            f"{status} {until:.3f} {epoch} {hard} {rest_until:.3f} {tags} {head}\n"
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
    ) -> bytes:
        tags = Entry._tags(generations)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers)
        # Django's header values are latin-1 already (it MIME-encodes others).
        head = lines.encode("latin-1")
        first = Entry._first_line(
            status, until, epoch, hard_epoch, rest_until, len(tags), len(head)
        )
        return b"".join((first, tags, head, content))

    @classmethod
    def decode(cls, blob) -> "Entry | None":
        """The entry kept in ``blob``, or None for anything else (a miss)."""
        try:
            end = blob.index(b"\n")
            status, until, epoch, hard, rest, tags, head = blob[:end].split()
            start = end + 1
            heads = start + int(tags)
            body = heads + int(head)
            if body > len(blob):
                return None
            first = (
                int(status),
                float(until),
                int(epoch),
                None if hard == b"-" else int(hard),
                float(rest),
            )
            return cls(blob, first, start, heads, body)
        except (AttributeError, TypeError, ValueError):
            return None

    @property
    def generations(self) -> dict[str, int]:
        return json.loads(self._blob[self._start : self._heads])

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = self._blob[self._body :]
        return self._content

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
        )
        return first + tags + self._blob[self._heads :]

    def restamp(self, epoch: int) -> bytes:
        """The same entry, known current at ``epoch``: a new first line."""
        tags, head = self._heads - self._start, self._body - self._heads
        first = self._first_line(
            self.status, self.until, epoch, self.hard_epoch, self.rest_until, tags, head
        )
        return first + self._blob[self._start :]
