"""
What a process keeps of the keys it reads on every page-cache hit, kept
current by Redis itself (server-assisted client-side caching).

A hit reads two keys, the page and the purge epoch, and between two purges
both stay the same for thousands of requests. Sending them across the socket
each time (a system call each way, a context switch to Redis and back on a
busy machine) was most of what separated a hit through Redis from the static
file. So ``ResilientRedisCache.get_values`` reads them on a connection of its
own in RESP3 with ``CLIENT TRACKING ON``: Redis remembers which keys that
connection read and, when any client changes one of them (a purge from
another process or server, a page stored again, an expiry, a ``FLUSHDB``),
pushes an ``invalidate`` message down the same connection. The values read
are kept here (``Mirror``) and answered from here until then.

Redis stays the only home of the data; this is a copy that Redis itself
withdraws. What makes that hold:

- **Every read looks for Redis's messages first.** Before a read is answered
  from the copy, the socket is polled without waiting (one ``poll`` call, no
  round trip) and every pending invalidation is applied. A purge's
  invalidations are written by Redis in the same pass of its event loop as the
  purge's own reply, so by the time the purging request has its answer, the
  message is in this process's socket and the next read here sees it.
- **A copy is trusted for ``seconds`` at most** (``REDIS_MIRROR_SECONDS``,
  default 0.25 s), then read again from Redis: a link that stops delivering
  Redis's messages without closing (a partition, a proxy that drops pushes)
  cannot keep an old page in use for longer than that.
- **A lost connection drops everything.** Redis forgets what a connection
  tracked when the connection goes (a restart, a failover, a timeout); the
  copy is emptied whenever the connection is made again, and a closed socket
  is seen by the poll above.
- **Bounded**: at most ``entries`` values and ``size`` bytes (values as Redis
  sent them); the oldest read goes first.
- A Redis or proxy that refuses RESP3 or ``CLIENT TRACKING`` (Redis before 6,
  some managed services) gets the plain read, every time, and nothing is kept.

redis-py has its own client-side cache (``cache_config``), but it refuses
servers before Redis 7.4, bounds entries and not bytes, and works through the
client and pool layers this read avoids (see ``caching.backend``).
"""

import logging
import select
import time

from redis._parsers import _HiredisParser
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)


# Redis versions that can crash once the tracking table is full, while a
# MULTI is queued (redis/redis#11715, fixed in 6.2.11 and 7.0.9).
UNSAFE_TRACKING = (((6, 2, 7), (6, 2, 10)), ((7, 0, 0), (7, 0, 8)))


def _version(handshake: dict) -> tuple[int, ...]:
    """The server's version from its answer to HELLO; (0,) if it gave none."""
    raw = handshake.get(b"version") or handshake.get("version") or b"0"
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (0,)


class Mirror:
    """Values read on one tracked connection: key -> (value, size, read at)."""

    def __init__(self, *, seconds: float, entries: int, size: int):
        self.seconds, self.max_entries, self.max_bytes = seconds, entries, size
        self.values: dict[str, tuple[object, int, float]] = {}
        self.bytes = 0

    def get(self, keys: list[str], now: float) -> list | None:
        """The values of all ``keys``, or None unless every one is here and
        was read from Redis less than ``seconds`` ago."""
        found = []
        oldest = now - self.seconds
        for key in keys:
            kept = self.values.get(key)
            if kept is None or kept[2] < oldest:
                return None
            found.append(kept[0])
        return found

    def put(self, key: str, value, size: int, read_at: float) -> None:
        self.discard(key)
        if size > self.max_bytes:
            return
        # A dict keeps insertion order: the first key is the oldest read.
        while self.values and (
            len(self.values) >= self.max_entries or self.bytes + size > self.max_bytes
        ):
            self.discard(next(iter(self.values)))
        self.values[key] = (value, size, read_at)
        self.bytes += size

    def discard(self, key: str) -> None:
        kept = self.values.pop(key, None)
        if kept is not None:
            self.bytes -= kept[1]

    def clear(self) -> None:
        self.values.clear()
        self.bytes = 0


class TrackedReader:
    """MGET on one connection of its own, answered from a ``Mirror`` that
    Redis's invalidation messages keep current. One per cache backend, and
    Django keeps one backend per thread: nothing here is shared by threads."""

    TRACKING = ("CLIENT", "TRACKING", "ON")

    def __init__(self, pool, *, loads, seconds: float, entries: int, size: int):
        self.pool, self.loads = pool, loads
        self.mirror = Mirror(seconds=seconds, entries=entries, size=size)
        self.tracking = seconds > 0 and entries > 0 and size > 0
        self.connection = self._new_connection()
        self.poller = None

    def _new_connection(self):
        kwargs = dict(self.pool.connection_kwargs)
        if self.tracking:
            kwargs["protocol"] = 3  # invalidations come on this connection
        return self.pool.connection_class(**kwargs)

    def mget(self, keys: list[str]) -> list:
        connection = self.connection
        if connection._sock is None:
            self._connect()
        elif self.tracking and self._pending():
            self._drain()
        now = time.monotonic()
        if self.tracking:
            found = self.mirror.get(keys, now)
            if found is not None:
                return found
        connection.send_command("MGET", *keys)
        raw = connection.read_response()
        loads = self.loads
        values = [None if value is None else loads(value) for value in raw]
        if self.tracking:
            for key, value, sent in zip(keys, values, raw, strict=True):
                self.mirror.put(key, value, 0 if sent is None else len(sent), now)
        return values

    def disconnect(self) -> None:
        """Forget the connection and everything read on it."""
        self.mirror.clear()
        self.poller = None
        self.connection.disconnect()

    def _connect(self) -> None:
        self.mirror.clear()
        try:
            self.connection.connect()
            if self.tracking:
                self._track()
        except ResponseError as error:
            # RESP3 or tracking refused: plain reads from now on.
            logger.warning(
                "Redis refused client tracking (%s); reading every hit", error
            )
            self.connection.disconnect()
            self.tracking = False
            self.connection = self._new_connection()
            self.connection.connect()

    def _track(self) -> None:
        connection = self.connection
        version = _version(connection.handshake_metadata)
        if any(low <= version <= high for low, high in UNSAFE_TRACKING):
            raise ResponseError(f"Redis {version} can crash when tracking")
        connection._parser.set_invalidation_push_handler(self._invalidated)
        connection.send_command(*self.TRACKING)
        connection.read_response()
        if isinstance(connection._parser, _HiredisParser):
            self.poller = select.poll()
            self.poller.register(connection._sock, select.POLLIN)

    def _pending(self) -> bool:
        """Whether Redis has sent anything since the last read (a message,
        or the end of the connection). No system call but one ``poll``."""
        if self.poller is None:  # redis-py's own parser
            return self.connection.can_read(0)
        return self.connection._parser._reader.has_data() or bool(self.poller.poll(0))

    def _drain(self) -> None:
        # can_read raises ConnectionError when Redis closed the connection.
        while self.connection.can_read(0):
            self.connection.read_response(push_request=True)

    def _invalidated(self, message) -> None:
        keys = message[1]
        if keys is None:  # FLUSHDB or FLUSHALL: everything went
            self.mirror.clear()
            return
        for key in keys:
            self.mirror.discard(key.decode() if isinstance(key, bytes) else key)
