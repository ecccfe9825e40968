"""
The shared cache's quicker calls, asked of whichever backend is configured.

The site's backends (``caching.backend``: Redis, and the disk cache) read
several keys in one round trip and count in one atomic step; Django's other
backends (the local-memory cache some tests use) have only the plain calls.
Each function here takes the quick call where the backend has it and the
plain ones otherwise, so the page cache, the fragments, the purges and the
rate limits do not each decide it again. Errors are the caller's to handle.
``backend`` is the site's cache unless a caller names its own.
"""

from django.core.cache import cache


def read_values(keys: list[str], backend=None) -> list:
    """The values of ``keys``, in order (None where missing), in one read:
    one MGET on Redis, on a connection of its own (``get_values``)."""
    backend = cache if backend is None else backend
    get_values = getattr(backend, "get_values", None)
    if get_values is not None:
        return get_values(keys)
    found = backend.get_many(keys)
    return [found.get(key) for key in keys]


def incr_or_start(key: str, *, timeout: int, delta: int = 1, backend=None) -> int:
    """Add ``delta`` to the counter at ``key``, starting it with a lifetime of
    ``timeout`` seconds if missing; the count after. One round trip and one
    atomic step on the site's backends."""
    backend = cache if backend is None else backend
    start = getattr(backend, "incr_or_start", None)
    if start is not None:
        return start(key, timeout=timeout, delta=delta)
    backend.add(key, 0, timeout=timeout)
    try:
        return backend.incr(key, delta)
    except ValueError:  # expired between add and incr
        backend.set(key, delta, timeout=timeout)
        return delta


def incr_or_start_many(
    keys: list[str], *, timeout: int | None, backend=None
) -> list[int]:
    """``incr_or_start`` (by one) of each of ``keys``, in order; ``timeout``
    None: never to expire. One call on the site's backends."""
    backend = cache if backend is None else backend
    bump_many = getattr(backend, "incr_or_start_many", None)
    if bump_many is not None:
        return bump_many(keys, timeout=timeout)
    return [incr_or_start(key, timeout=timeout, backend=backend) for key in keys]


def add_many(items: list[tuple[str, object, int]], backend=None) -> list[bool]:
    """``add`` of each (key, value, seconds): whether each was stored. One
    round trip on Redis."""
    backend = cache if backend is None else backend
    adder = getattr(backend, "add_many", None)
    if adder is not None:
        return adder(items)
    return [backend.add(key, value, timeout=seconds) for key, value, seconds in items]
