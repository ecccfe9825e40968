"""
The default shared cache when there is no Redis: python-diskcache's Django
cache in a folder on this machine (``CACHE_DIR``), opened by every worker
process, with the same outage handling as the Redis backend
(``caching.backend.Resilient``).
"""

import functools
import sqlite3
import time

from diskcache import DjangoCache, FanoutCache
from diskcache import Timeout as DiskTimeout
from diskcache.core import MODE_RAW
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

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
            fanout = FanoutCache(
                self._location,
                self._shards,
                self._database_timeout,
                **self._options,
            )
            # Every call picks a key's shard with this (FanoutCache's own).
            fanout._hash = functools.partial(_shard_hash, fanout._hash)
            self._fanout = fanout
        return self._fanout

    def close(self, **kwargs):
        """Keep the connections: Django calls this after every request."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """``add`` in one SQL statement where it can (``add_many``)."""
        return self.add_many([(key, value, timeout)], version)[0]

    def add_many(self, items, version=None) -> list[bool]:
        """``add`` of each (key, value, timeout) in ``items``: whether each was
        stored. One SQL statement per shard for numbers (the rate limits'
        slots, the double-click claim), where diskcache's own ``add`` is a
        transaction of six or seven statements (select, insert, cull)."""
        made = [
            (self.make_key(key, version=version), value, self.get_backend_timeout(t))
            for key, value, t in items
        ]
        fanout = self._call(lambda: None, lambda: self._cache)  # opens the folder
        if fanout is None:
            return [False] * len(made)
        by_shard: dict[int, list[int]] = {}
        for index, (key, _value, _timeout) in enumerate(made):
            by_shard.setdefault(fanout._hash(key) % fanout._count, []).append(index)
        stored = [False] * len(made)
        for number, indexes in by_shard.items():
            # Shard by shard, as one add after another would: a shard that
            # cannot be written costs only its own keys.
            group = [made[index] for index in indexes]
            none = [False] * len(group)
            won = self._call(none.copy, self._add, number, group)
            for index, took in zip(indexes, won, strict=True):
                stored[index] = took
        return stored

    def _add(self, number: int, items: list) -> list[bool]:
        """``add_many`` of keys that all live on shard ``number``."""
        shard = self._cache._shards[number]
        quick = [i for i, (_key, value, _t) in enumerate(items) if _kept_in_row(value)]
        won = self._add_rows(shard, [items[i] for i in quick]) if quick else set()
        stored = [False] * len(items)
        for index, (key, value, timeout) in enumerate(items):
            if key in won and index in quick:
                stored[index] = True
                won.discard(key)  # the same key twice: the second finds it taken
                continue
            # Taken, most likely; or not a number, or in place of an expired
            # row that keeps a file to remove: diskcache's own add decides.
            try:
                stored[index] = shard.add(key, value, timeout, retry=True)
            except DiskTimeout:
                stored[index] = False
        self._after_adds(number, shard, len(quick))
        return stored

    def _add_rows(self, shard, items: list) -> set:
        """The keys of ``items`` this one statement stored: new, or in place
        of an expired row that keeps no file (``_add_sql``)."""
        now = time.time()
        params = []
        for key, value, timeout in items:
            db_key, raw = shard._disk.put(key)
            expiry = None if timeout is None else now + timeout
            params += [db_key, raw, now, expiry, now, value]
        rows = self._write(shard, _add_sql(len(items)), params)
        return {key for (key,) in rows}

    def _after_adds(self, number: int, shard, added: int) -> None:
        """diskcache's add culls up to ``cull_limit`` expired rows (and their
        files) each time; the quick adds of a shard cull as many, every
        ``CULL_EVERY`` of them at once, with diskcache's own ``_cull`` (which
        also evicts by size past ``size_limit``). The count is this process's
        and only paces the housekeeping: any process's cull serves them all."""
        counts = self.__dict__.setdefault("_adds_since_cull", {})
        count = counts.get(number, 0) + added
        if count < CULL_EVERY:
            counts[number] = count
            return
        counts[number] = 0
        with shard._transact(retry=True) as (sql, cleanup):
            shard._cull(time.time(), sql, cleanup, limit=count * shard.cull_limit)

    def _write(self, shard, statement: str, params) -> list:
        """Run one writing statement on ``shard``, its rows fetched (so its
        transaction ends here). SQLite's own wait for a busy file sleeps a
        millisecond or more; another worker's statement holds the file for
        some microseconds, so this one asks again after a short nap instead
        (the connection's wait put back after, for diskcache's own calls)."""
        sql = shard._sql
        sql("PRAGMA busy_timeout = 0")
        try:
            for attempt in range(COUNT_ATTEMPTS):
                try:
                    return sql(statement, params).fetchall()
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error):
                        raise
                    time.sleep(min(0.001, 0.00002 * 2**attempt))
        finally:
            sql(f"PRAGMA busy_timeout = {int(self._database_timeout * 1000)}")
        raise DiskTimeout(statement)

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
        ((count,),) = self._write(
            shard, _COUNT_SQL, (db_key, raw, now, expiry, now, delta)
        )
        return count


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
# Tries of a statement (``_write``) while another process holds the write
# lock: naps of 20 us doubling to 1 ms, about a tenth of a second in all.
COUNT_ATTEMPTS = 100
# The quick adds of a shard cull expired rows every this many (_after_adds):
# each cull is a transaction of its own, and with a post's five adds on one
# shard (the rate limits' hash tag) every 8 was one every other post.
CULL_EVERY = 32


def _shard_hash(hash_key, key) -> int:
    """What picks ``key``'s shard: the whole key, or only its hash tag, the
    part between the first ``{`` and the next ``}`` (Redis Cluster's rule for
    its slots). Keys with the same tag live on one shard, so one call that
    writes them all (a post's rate-limit slots and double-click claim) is one
    transaction there instead of one on each shard they would fall on."""
    if isinstance(key, str):
        start = key.find("{")
        end = key.find("}", start + 1) if start != -1 else -1
        if end > start + 1:
            key = key[start + 1 : end]
    return hash_key(key)


def _kept_in_row(value) -> bool:
    """Whether diskcache keeps ``value`` as it is in the row (``MODE_RAW``),
    never in a file: a float, or an int SQLite can hold."""
    kind = type(value)
    return kind is float or (kind is int and -(2**63) <= value < 2**63)


@functools.cache
def _add_sql(rows: int) -> str:
    """``add`` of ``rows`` numbers in one statement: a row is stored if its key
    is new, or in place of an expired row that keeps no file (the columns
    diskcache's own add writes); the keys stored come back."""
    values = ", ".join([f"(?, ?, ?, ?, ?, 0, NULL, 0, {MODE_RAW}, NULL, ?)"] * rows)
    return (
        "INSERT INTO Cache (key, raw, store_time, expire_time, access_time,"
        " access_count, tag, size, mode, filename, value)"
        f" VALUES {values}"
        " ON CONFLICT (key, raw) DO UPDATE SET"
        " store_time = excluded.store_time, expire_time = excluded.expire_time,"
        " access_time = excluded.access_time, access_count = 0, tag = NULL,"
        f" size = 0, mode = {MODE_RAW}, filename = NULL, value = excluded.value"
        " WHERE Cache.expire_time IS NOT NULL"
        " AND Cache.expire_time <= excluded.store_time AND Cache.filename IS NULL"
        " RETURNING key"
    )
