"""LocMemCache as the default cache, not silenced: the server must refuse it."""

from newsroom.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
