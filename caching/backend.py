"""
The site's two cache backends, made to degrade instead of fail.

- ``ResilientRedisCache``: Django's Redis cache (``REDIS_URL``), shared by
  every process of every app server.
- ``SharedDiskCache``: the embedded default, python-diskcache's Django cache
  in a folder on local disk (``CACHE_DIR``): SQLite files that every worker
  process of one machine opens, so they all see one cache, with no server to
  run. See docs/caching.md, "The default cache, shared by every worker".

The cache is an accelerator, never the record: every page can be rendered
live and every rate limit can be decided some other way. So when the cache
cannot be reached (Redis stopped, restarting or partitioned; the cache folder
full, unwritable or damaged) a request must still be answered, quickly, and
never with a 5xx:

- reads miss (``get`` gives the default, ``get_many`` gives ``{}``,
  ``has_key`` is false); writes report that they did not happen (``add``,
  ``delete`` and ``touch`` are false, ``set_many`` returns every key, ``incr``
  raises ``ValueError`` as it does for a missing key); ``set`` stores nothing;
- connecting and reading Redis time out after a fraction of a second
  (redis-py's default is 5 s), and after a failure the process stops asking
  the cache for ``RETRY_SECONDS``: a dead cache costs a page nothing, not one
  timeout per call;
- an outage is logged once per process when it starts and once when it ends
  (with its length), not once per call;
- callers that must know whether the cache answered (the rate limiter cannot
  tell "every slot is taken" from "nothing could be stored") compare
  ``failures`` before and after their calls; see ``comments.ratelimit``.

Only errors of reaching the store are absorbed (for Redis, the connection;
for the disk cache, SQLite's and the file system's errors). A command Redis
refuses (a programming error) is still raised.
"""

import logging
import os
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .mirror import TrackedReader

logger = logging.getLogger(__name__)

# A loopback or same-rack Redis answers in well under a millisecond; these
# only bound how long a request waits for one that is gone.
SOCKET_CONNECT_TIMEOUT = 0.25
SOCKET_TIMEOUT = 0.5
# After a failure, how long a process answers from "cache down" before trying
# Redis again. Also the longest caching takes to resume once Redis is back.
RETRY_SECONDS = 1.0

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# How long a value read for the page cache may be answered from this
# process's copy (which Redis invalidates) before it is read again, and how
# much the copy holds (caching.mirror). seconds=0 reads every hit from Redis.
MIRROR_DEFAULTS = {"seconds": 0.25, "entries": 512, "size": 16 * 1024 * 1024}


class CacheUnavailable(ValueError):
    """``incr`` could not reach the cache (a ``ValueError``, as for a missing key)."""


class _Outage:
    """Whether one cache location is down, shared by every thread of a process."""

    def __init__(self, location: str):
        self.location = location
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    def should_skip(self) -> bool:
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + RETRY_SECONDS
            if self.down_since is not None:
                return
            self.down_since = now
        logger.warning(
            "cache unavailable (%s: %s); serving without the cache and retrying "
            "every %.1f s",
            error.__class__.__name__,
            error,
            RETRY_SECONDS,
        )

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self.lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning(
                "cache available again after %.1f s", time.monotonic() - since
            )


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage(location))


# A missing key answers nil (None), as Django's ``incr`` expects to raise on.
INCR_EXISTING = (
    "if redis.call('EXISTS', KEYS[1]) == 1 then "
    "return redis.call('INCRBY', KEYS[1], ARGV[1]) end return false"
)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool.

    Django's makes a new ``redis.Redis`` for every call, and building one
    (its table of response callbacks) cost about 95 us of CPU per page-cache
    hit here, as much as the rest of the hit. The object holds no connection
    of its own (the pool does), so one per pool is safe to share.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        """``INCRBY`` of a key that exists, in one round trip instead of
        Django's two (``EXISTS``, then ``INCRBY``), and atomically: a key
        that expired between those two came back without its expiry."""
        value = self.get_client(key, write=True).eval(INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return value


class Resilient:
    """Answers "miss" / "not stored" while the cache's store is unreachable.

    Mixed in before a Django cache backend; the subclass names the errors
    that mean "unreachable" (``unreachable``) and calls ``_watch(location)``
    from its ``__init__``.
    """

    unreachable: tuple[type[BaseException], ...] = ()

    def _watch(self, location: str) -> None:
        self._outage = _outage_for(location)
        # Calls this instance (Django keeps one per thread) could not make.
        self.failures = 0

    @property
    def available(self) -> bool:
        """False while this process treats the cache as down (between retries)."""
        return not self._outage.should_skip()

    def _call(self, fallback, method, *args, **kwargs):
        if self._outage.should_skip():
            self.failures += 1
            return fallback()
        try:
            result = method(*args, **kwargs)
        except self.unreachable as error:
            self.failures += 1
            self._outage.failed(error)
            return fallback()
        self._outage.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(lambda: False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call(dict, super().get_many, keys, version)

    def get_values(self, keys, version=None) -> list:
        """The values of ``keys`` in their order, None where there is none:
        one read of several keys (the page cache's hit: the page and the
        purge epoch). The Redis backend makes it one MGET on a connection of
        its own."""
        found = self.get_many(keys, version)
        return [found.get(key) for key in keys]

    def has_key(self, key, version=None):
        return self._call(lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        def unavailable():
            raise CacheUnavailable(f"The cache is unavailable; {key!r} not changed.")

        return self._call(unavailable, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._call(lambda: keys, super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._call(lambda: False, super().clear)

    def incr_or_start(self, key, *, timeout: int, delta: int = 1, version=None) -> int:
        """Add ``delta`` to the counter at ``key``, starting it (with a lifetime
        of ``timeout`` seconds) if it is missing: ``add`` then ``incr`` in one
        round trip and one atomic step (the API's rate limit, which reserves a
        few requests at once: ``api.throttle``). ``CacheUnavailable`` if the
        store is away."""

        def unavailable():
            raise CacheUnavailable(f"The cache is unavailable; {key!r} not counted.")

        key = self.make_and_validate_key(key, version=version)
        return self._call(unavailable, self._incr_or_start, key, timeout, delta)

    def incr_or_start_many(self, keys, *, timeout: int | None, version=None) -> list:
        """``incr_or_start`` of each of ``keys``, in order, in one call: one
        round trip on Redis (one MULTI), one statement a key on the disk
        cache. ``timeout`` None: a counter started here never expires (the
        purges' generations). ``CacheUnavailable`` if the store is away."""

        def unavailable():
            raise CacheUnavailable("The cache is unavailable; nothing counted.")

        made = [self.make_and_validate_key(key, version=version) for key in keys]
        return self._call(unavailable, self._incr_or_start_many, made, timeout)

    def _incr_or_start_many(self, keys: list[str], timeout: int | None) -> list:
        return [self._incr_or_start(key, timeout) for key in keys]

    def add_many(self, items, version=None) -> list[bool]:
        """``add`` of each (key, value, timeout) in ``items``: whether each was
        stored. One round trip on Redis; one ``add`` after another here."""
        return [self.add(key, value, timeout, version) for key, value, timeout in items]


class ResilientRedisCache(Resilient, RedisCache):
    """``RedisCache`` that answers "miss" / "not stored" while Redis is away.

    ``get_values`` (every page-cache hit) skips redis-py's per-command layers
    (its client's retry wrappers, response callbacks and connection pool's
    bookkeeping, about half the CPU of the read): it sends MGET on a
    connection this backend keeps open (Django keeps one backend per thread,
    so one connection per thread, made by the same pool with the same
    timeouts) and decodes the values with Django's own serializer. With
    hiredis installed (requirements.txt), redis-py parses the reply in C.
    That connection is tracked by Redis, and what it read is answered from
    this process's copy until Redis says it changed (``caching.mirror``;
    the ``MIRROR`` entry of the cache's settings bounds it).
    """

    unreachable = UNREACHABLE
    _reader = None  # (process id, caching.mirror.TrackedReader) for get_values

    def __init__(self, server, params):
        params = dict(params)
        params["OPTIONS"] = {
            "socket_connect_timeout": SOCKET_CONNECT_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            **params.get("OPTIONS", {}),
        }
        # What get_values may keep between reads (caching.mirror); not a
        # connection option, so not in OPTIONS.
        self._mirror = {**MIRROR_DEFAULTS, **params.get("MIRROR", {})}
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._watch(",".join(self._servers))

    @property
    def mirrored(self) -> bool:
        """Whether this thread's reads are kept between hits (caching.mirror):
        a value read again is then the same object until Redis changes it."""
        return self._reader is not None and self._reader[1].tracking

    def get_values(self, keys, version=None) -> list:
        # make_key, not make_and_validate_key: the page cache's keys are its
        # own, and the validation (memcached's key rules, a loop over every
        # character) cost as much as the rest of the read.
        made = [self.make_key(key, version=version) for key in keys]
        return self._call(lambda: [None] * len(keys), self._mget, made)

    def _mget(self, keys: list[str]) -> list:
        pid = os.getpid()
        if self._reader is None or self._reader[0] != pid:  # first use, or forked
            pool = self._cache._get_connection_pool(write=False)
            reader = TrackedReader(
                pool, loads=self._cache._serializer.loads, **self._mirror
            )
            self._reader = (pid, reader)
        reader = self._reader[1]
        try:
            return reader.mget(keys)
        except RedisTimeoutError:
            reader.disconnect()  # its answer may still come: never reuse it
            raise
        except RedisConnectionError:
            # A connection Redis closed (a restart): reconnect once, as
            # redis-py's client would; a second failure is an outage. (Not
            # after a timeout: a hung Redis costs one timeout, not two.)
            # Whatever was read on the old connection is forgotten with it.
            reader.disconnect()
            try:
                return reader.mget(keys)
            except UNREACHABLE:
                reader.disconnect()
                raise

    def _incr_or_start(self, key: str, timeout: int, delta: int) -> int:
        # SET NX EX and INCR in one MULTI: one round trip, and the key cannot
        # expire between the two (an INCR of a missing key would make one
        # that never expires). The 0 is stored as Django's serializer stores
        # an int, so ``get`` reads the count.
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incrby(key, delta)
        return pipe.execute()[1]

    def add_many(self, items, version=None) -> list[bool]:
        made = [
            (self.make_and_validate_key(key, version=version), value, timeout)
            for key, value, timeout in items
        ]
        return self._call(lambda: [False] * len(made), self._add_many, made)

    def _add_many(self, items: list) -> list[bool]:
        # SET NX EX each, as Django's add does, in one pipeline (no MULTI:
        # each add stands alone, as one by one).
        dumps = self._cache._serializer.dumps
        pipe = self._cache.get_client(items[0][0], write=True).pipeline(
            transaction=False
        )
        for key, value, timeout in items:
            pipe.set(key, dumps(value), ex=self.get_backend_timeout(timeout), nx=True)
        return [bool(stored) for stored in pipe.execute()]

    def _incr_or_start_many(self, keys: list[str], timeout: int | None) -> list:
        # Without a lifetime a plain INCR is "start or add one": Redis starts
        # a missing key at 0 and keeps it. Writes all go to the first server.
        pipe = self._cache.get_client(keys[0], write=True).pipeline(transaction=True)
        for key in keys:
            if timeout is not None:
                pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
        counts = pipe.execute()
        return counts if timeout is None else counts[1::2]


def failures(backend) -> int:
    """Calls ``backend`` could not make so far in this thread (0 for backends
    that never fail, such as the local-memory cache)."""
    return getattr(backend, "failures", 0)
