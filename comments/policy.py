"""
The moderation policy as every post reads it: the settings row with its word
lists, from the shared cache.

Moderators change the policy a few times a year and readers post all day, so
each post reads one cached copy instead of three queries. The copy is stored
with the version it was read under, and both are fetched in one round trip;
the services that save the policy (``comments.services.policy``) give it a
new version when their transaction commits, so the next post on every app
server reads the rows again. A reader that loaded the rows just before a
change stores them under the old version, which no one asks for any more.

The version is a random token, not a counter: a cache that lost the version
key (evicted, restarted) must never match a copy stored under an earlier one.
With the cache unreachable every post reads the rows, as before there was a
copy; a change committed while it was away reaches the posts within
``COPY_SECONDS`` of its return.
"""

import hashlib
import secrets

from django.core.cache import cache
from django.db import transaction

from .models import ModerationSettings

VERSION_KEY = "comments:policy:version"
# The copy is a pickled row: a deploy that changes the model's columns reads
# it under a key of its own rather than unpickling the old shape.
_COLUMNS = ",".join(f.attname for f in ModerationSettings._meta.concrete_fields)
COPY_KEY = "comments:policy:copy:" + hashlib.sha256(_COLUMNS.encode()).hexdigest()[:12]
# A new version that could not be stored (the cache was away as the change
# committed) leaves the old copy matching: it is read again after this long.
COPY_SECONDS = 600


def current() -> ModerationSettings:
    """The settings row, its word lists loaded (``word_lists()``)."""
    found = cache.get_many([VERSION_KEY, COPY_KEY])
    version, copy = found.get(VERSION_KEY), found.get(COPY_KEY)
    if version is not None and copy is not None and copy[0] == version:
        return copy[1]
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY)  # another process made one first
    # Read after the version: a change committed since gives a new version.
    config = ModerationSettings.load()
    config.word_lists()
    if version is not None:
        cache.set(COPY_KEY, (version, config), timeout=COPY_SECONDS)
    return config


def forget(*, using: str = "default") -> None:
    """After commit: the next post anywhere reads the policy from the rows."""
    transaction.on_commit(_new_version, using=using)


def _new_version() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
