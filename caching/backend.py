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
import sqlite3
import threading
import time

from diskcache import DjangoCache, FanoutCache
from diskcache import Timeout as DiskTimeout
from diskcache.core import MODE_RAW
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A loopback or same-rack Redis answers in well under a millisecond; these
# only bound how long a request waits for one that is gone.
SOCKET_CONNECT_TIMEOUT = 0.25
SOCKET_TIMEOUT = 0.5
# After a failure, how long a process answers from "cache down" before trying
# Redis again. Also the longest caching takes to resume once Redis is back.
RETRY_SECONDS = 1.0

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# SQLite's "database or disk is full", "attempt to write a readonly database",
# "unable to open database file", a damaged file (DatabaseError), a lock held
# past diskcache's retries (its Timeout), and the file system's own errors
# (values of 32 kB and more are files beside the SQLite databases).
DISK_UNREACHABLE = (sqlite3.DatabaseError, DiskTimeout, OSError)


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

    def incr_or_start(self, key, *, timeout: int, version=None) -> int:
        """Add one to the counter at ``key``, starting it (with a lifetime of
        ``timeout`` seconds) if it is missing: ``add`` then ``incr`` in one
        round trip and one atomic step, for a counter asked on every request
        (the API's rate limit). ``CacheUnavailable`` if the store is away."""

        def unavailable():
            raise CacheUnavailable(f"The cache is unavailable; {key!r} not counted.")

        key = self.make_and_validate_key(key, version=version)
        return self._call(unavailable, self._incr_or_start, key, timeout)


class ResilientRedisCache(Resilient, RedisCache):
    """``RedisCache`` that answers "miss" / "not stored" while Redis is away."""

    unreachable = UNREACHABLE

    def __init__(self, server, params):
        params = dict(params)
        params["OPTIONS"] = {
            "socket_connect_timeout": SOCKET_CONNECT_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._watch(",".join(self._servers))

    def _incr_or_start(self, key: str, timeout: int) -> int:
        # SET NX EX and INCR in one MULTI: one round trip, and the key cannot
        # expire between the two (an INCR of a missing key would make one
        # that never expires). The 0 is stored as Django's serializer stores
        # an int, so ``get`` reads the count.
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=True)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


class SharedDiskCache(Resilient, DjangoCache):
    """python-diskcache's Django cache, shared by every process on the machine,
    that answers "miss" / "not stored" while its folder cannot be used.

    ``add``, ``incr`` and ``set`` are SQLite transactions, atomic across
    processes (the purge epoch and the rate limiter rely on it;
    ``tests/test_shared_cache.py`` counts them). Two changes to the library's
    ``DjangoCache``:

    - the folder is opened on first use, not when Django builds the backend,
      so a folder that cannot be created or written is an outage like any
      other (logged, pages served live) rather than a 500 on every request;
    - ``close()``, which Django calls after every request, keeps the SQLite
      connections open: reopening them (and re-reading the settings table)
      for each request costs more than the page-cache hit itself
      (``python -m bench.cache_backends``). Each thread keeps its own
      connections, and diskcache reopens them after a fork.
    """

    unreachable = DISK_UNREACHABLE

    def __init__(self, directory, params):
        BaseCache.__init__(self, params)
        self._location = str(directory)
        self._shards = params.get("SHARDS", 8)
        self._database_timeout = params.get("DATABASE_TIMEOUT", 0.010)
        self._options = params.get("OPTIONS", {})
        self._fanout = None
        self._watch(self._location)

    @property
    def _cache(self) -> FanoutCache:
        if self._fanout is None:
            self._fanout = FanoutCache(
                self._location,
                self._shards,
                self._database_timeout,
                **self._options,
            )
        return self._fanout

    def close(self, **kwargs):
        """Keep the connections: Django calls this after every request."""

    def _incr_or_start(self, key: str, timeout: int) -> int:
        # One SQL statement on the key's shard (the shard FanoutCache itself
        # would pick), not diskcache's add and incr: each of those is a
        # transaction that holds the file's write lock across several Python
        # calls, and every API request writes this counter. When two workers
        # count the same address, a lock held longer costs the other a sleep
        # of a millisecond or more. The row is the one ``add`` and ``incr``
        # would write (an int is stored raw), so ``get`` reads the count and
        # expiry and culling treat it like any other.
        fanout = self._cache
        shard = fanout._shards[fanout._hash(key) % fanout._count]
        db_key, raw = shard._disk.put(key)
        now = time.time()
        # SQLite's own wait for a busy file sleeps a millisecond or more;
        # another worker's upsert holds it for some microseconds, so this
        # one asks again after a short nap instead (the connection's wait
        # put back after, for diskcache's own calls).
        sql = shard._sql
        sql("PRAGMA busy_timeout = 0")
        try:
            for attempt in range(COUNT_ATTEMPTS):
                try:
                    # fetchall: the statement, and so its transaction, ends here.
                    ((count,),) = sql(
                        _COUNT_SQL, (db_key, raw, now, now + timeout, now)
                    ).fetchall()
                    return count
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error):
                        raise
                    time.sleep(min(0.001, 0.00002 * 2**attempt))
        finally:
            sql(f"PRAGMA busy_timeout = {int(self._database_timeout * 1000)}")
        raise DiskTimeout(key)


_COUNT_SQL = (
    "INSERT INTO Cache (key, raw, store_time, expire_time, access_time,"
    " access_count, tag, size, mode, filename, value)"
    f" VALUES (?, ?, ?, ?, ?, 0, NULL, 0, {MODE_RAW}, NULL, 1)"
    " ON CONFLICT (key, raw) DO UPDATE SET"
    " value = CASE WHEN expire_time < excluded.store_time THEN 1 ELSE value + 1 END,"
    " expire_time = CASE WHEN expire_time < excluded.store_time"
    " THEN excluded.expire_time ELSE expire_time END,"
    " store_time = excluded.store_time"
    " RETURNING value"
)
# Tries of the statement above while another process holds the write lock:
# naps of 20 us doubling to 1 ms, about a tenth of a second in all.
COUNT_ATTEMPTS = 100


def failures(backend) -> int:
    """Calls ``backend`` could not make so far in this thread (0 for backends
    that never fail, such as the local-memory cache)."""
    return getattr(backend, "failures", 0)
