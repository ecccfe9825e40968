"""
The default shared cache when there is no Redis: python-diskcache's Django
cache in a folder on this machine (``CACHE_DIR``), opened by every worker
process, with the same outage handling as the Redis backend
(``caching.backend.Resilient``).
"""

import sqlite3
import time

from diskcache import DjangoCache, FanoutCache
from diskcache import Timeout as DiskTimeout
from diskcache.core import MODE_RAW
from django.core.cache.backends.base import BaseCache

from .backend import Resilient

# SQLite's "database or disk is full", "attempt to write a readonly database",
# "unable to open database file", a damaged file (DatabaseError), a lock held
# past diskcache's retries (its Timeout), and the file system's own errors
# (values of 32 kB and more are files beside the SQLite databases).
DISK_UNREACHABLE = (sqlite3.DatabaseError, DiskTimeout, OSError)


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

    def _incr_or_start(self, key: str, timeout: int | None, delta: int = 1) -> int:
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
        # No lifetime: a NULL expiry, which the statement never finds passed.
        expiry = None if timeout is None else now + timeout
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
                        _COUNT_SQL, (db_key, raw, now, expiry, now, delta)
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
    f" VALUES (?, ?, ?, ?, ?, 0, NULL, 0, {MODE_RAW}, NULL, ?)"
    " ON CONFLICT (key, raw) DO UPDATE SET"
    " value = CASE WHEN expire_time < excluded.store_time THEN excluded.value"
    " ELSE value + excluded.value END,"
    " expire_time = CASE WHEN expire_time < excluded.store_time"
    " THEN excluded.expire_time ELSE expire_time END,"
    " store_time = excluded.store_time"
    " RETURNING value"
)
# Tries of the statement above while another process holds the write lock:
# naps of 20 us doubling to 1 ms, about a tenth of a second in all.
COUNT_ATTEMPTS = 100
