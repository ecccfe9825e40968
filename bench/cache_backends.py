"""
The page cache's hot path on each cross-process cache that needs no server.

    .venv/bin/python -m bench.cache_backends [ROUNDS]

Times, in this one process, what a page-cache hit costs (``caching.pages``'s
lookup: one ``get_many`` of the page and the purge epoch, then Django's
``close()`` at the end of the request), and the writes the purge epoch and the
rate limiter make (``incr``, ``add``), on:

- ``locmem``: Django's per-process cache, the reference (it is not shared);
- ``disk``: python-diskcache's ``DjangoCache`` in a temporary folder, as the
  default configures it (``caching.disk.SharedDiskCache``), and
  ``disk-library``: the library's class unchanged (it closes its SQLite
  connections at the end of every request);
- ``database``: Django's ``DatabaseCache`` in a SQLite file of its own
  (WAL), the other candidate.

A 40 kB page is stored once, then looked up ROUNDS times. Figures are the
median and the 95th percentile, in microseconds.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _configure(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'site.sqlite3'}"
    os.environ["CACHE_DIR"] = str(folder / "disk")
    import django
    from django.conf import settings

    settings.CACHES = {
        "default": settings.CACHES["default"],
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "disk": settings.CACHES["default"],
        "disk-library": {
            **settings.CACHES["default"],
            "BACKEND": "diskcache.DjangoCache",
            "LOCATION": str(folder / "disk-library"),
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "newsroom_cache",
        },
    }
    django.setup()
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)


def _timed(function, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def measure(alias: str, rounds: int) -> dict[str, tuple[float, float]]:
    from django.core.cache import caches

    import caching.pages as pages

    backend = caches[alias]
    pages.cache = backend  # the engine reads ``cache``; point it at this one
    key = pages.KEY_PREFIX + alias
    entry = pages.Entry(
        status=200,
        headers=[("Content-Type", "text/html; charset=utf-8")] * 12,
        content=os.urandom(20_000).hex().encode(),  # 40 kB, like an article
        generations={"article:1": 1, "comments:1": 1, "nav": 1},
        until=time.time() + 600,
        epoch=0,
    )
    backend.set(key, entry, 600)
    assert pages._lookup(key)[0] is not None, alias

    def hit():
        pages._lookup(key)
        backend.close()  # what Django does when each request finishes

    backend.set("counter", 0, None)
    slots = iter(range(10 * rounds))
    return {
        "hit (get_many + close)": _timed(hit, rounds),
        "incr": _timed(lambda: backend.incr("counter"), rounds),
        "add (new key)": _timed(
            lambda: backend.add(f"slot:{next(slots)}", 1, 15), rounds
        ),
    }


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    project = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(project))
    with tempfile.TemporaryDirectory(prefix="newsroom-cache-bench-") as folder:
        _configure(Path(folder))
        print(f"{'backend':10} {'operation':24} {'median us':>10} {'p95 us':>10}")
        for alias in ("locmem", "disk", "disk-library", "database"):
            for operation, (median, p95) in measure(alias, rounds).items():
                print(f"{alias:10} {operation:24} {median:10.0f} {p95:10.0f}")


if __name__ == "__main__":
    main()
