"""
Making, finding and revoking API keys. The admin calls these; the gate
(``api.middleware``) finds a key by its digest through the shared cache, and
revoking forgets that cache entry, so a revoked key fails on the next request.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "nk_"
CACHE_PREFIX = "api:key:v1:"


@dataclass(frozen=True)
class KeyGrant:
    id: int
    per_minute: int


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, name: str, per_minute: int = 600) -> tuple[ApiKey, str]:
    """A new key and its only plain copy, to show once."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, per_minute=per_minute, prefix=raw[:12], digest=digest(raw)
    )
    return key, raw


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    forget(key)


def forget(key: ApiKey) -> None:
    """Drop the cached grant of ``key`` after commit: the next request reads
    the row again (a revocation or a new limit applies at once)."""

    def drop():
        try:
            cache.delete(CACHE_PREFIX + key.digest)
        except Exception:
            pass

    transaction.on_commit(drop)


def find_key(raw: str) -> KeyGrant | None:
    """The live key ``raw`` names, or None; a minute in the shared cache."""
    hashed = digest(raw)
    try:
        found = cache.get(CACHE_PREFIX + hashed)
    except Exception:
        found = None
    if found is None:
        row = (
            ApiKey.objects.filter(digest=hashed, revoked_at__isnull=True)
            .values_list("pk", "per_minute")
            .first()
        )
        found = KeyGrant(*row) if row else False
        try:
            cache.set(CACHE_PREFIX + hashed, found, 60)
        except Exception:
            pass
    return found or None
