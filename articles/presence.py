"""
Who else has an article open in the admin: a light heartbeat in the cache.

Each open change form posts a beat every 30 seconds; a beat older than 90
seconds no longer counts. The cache is shared by every app server (Redis in
production), so editors on different machines see each other.
"""

import time

from django.core.cache import cache

TTL = 90


def _key(article_id: int) -> str:
    return f"article-editing:{article_id}"


def beat(article_id: int, user) -> None:
    editors = cache.get(_key(article_id), {})
    now = time.time()
    editors = {uid: seen for uid, seen in editors.items() if now - seen[1] < TTL}
    editors[user.pk] = (user.get_full_name() or user.get_username(), now)
    cache.set(_key(article_id), editors, TTL)


def others(article_id: int, user) -> list[dict]:
    """Everyone but ``user`` seen on this article in the last 90 seconds."""
    now = time.time()
    return [
        {"name": name, "seconds_ago": int(now - seen)}
        for uid, (name, seen) in cache.get(_key(article_id), {}).items()
        if uid != user.pk and now - seen < TTL
    ]
