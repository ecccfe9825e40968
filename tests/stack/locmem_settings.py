"""The site as it was before issue 13: the per-process LocMemCache.

Only for tests/stack/test_workers_share_the_cache.py, which measures what that
cost. ``caching.E001`` would refuse to start (that is the point); it is
silenced here on purpose, to show why.
"""

from newsroom.settings import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "newsroom",
    }
}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "caching.E001"]  # noqa: F405
