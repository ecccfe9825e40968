"""
A system check: with ``DEBUG`` off, the default cache must be one that every
worker process shares.

A per-process cache (Django's ``LocMemCache``) breaks the page cache, the
purge epoch and the rate limits as soon as gunicorn runs more than one
worker: a purge reaches only the worker that made the change, so the others
serve the old page until it expires, and each worker counts a reader's posts
for itself. ``newsroom.wsgi`` runs this check at start-up, so the server
refuses to start rather than serve stale pages; ``manage.py check`` (and
``migrate``, ``runserver``) report it too.
"""

from django.conf import settings
from django.core import checks

PER_PROCESS = {"django.core.cache.backends.locmem.LocMemCache"}


def shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS:
        return []
    return [
        checks.Error(
            f"The default cache ({backend}) lives in each process's memory: "
            "with several workers, purges and rate limits reach one worker only.",
            hint=(
                "Remove the CACHES override to use the shared disk cache "
                "(caching.disk.SharedDiskCache in CACHE_DIR), or set "
                "REDIS_URL. See docs/caching.md."
            ),
            id="caching.E001",
        )
    ]


def refuse_to_start() -> None:
    """Raise if a serious cache check fails (for the WSGI entry point)."""
    from django.core.exceptions import ImproperlyConfigured

    found = checks.run_checks(tags=[checks.Tags.caches])
    serious = [m for m in found if m.is_serious() and not m.is_silenced()]
    if serious:
        raise ImproperlyConfigured("\n".join(str(message) for message in serious))
