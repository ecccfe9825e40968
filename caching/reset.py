"""
Forgetting everything the site keeps in its shared cache, for the rare moment
when the database under it is replaced wholesale (a backup restore).

Purges are precise: a change bumps the tags of what it touches. A restore
touches everything at once, including pieces that exist only in the cache
(rows of the replaced site that the backup does not hold), so no list of tags
can name it all. Pages, fragments, counts and the cached moderation policy
are all derived from the database, so they are simply dropped and rendered
again from the restored rows on the next request.

Only this site's keys go: on Redis, those under the cache's own key prefix
(another application may share the database number), deleted in batches
without blocking Redis (SCAN and UNLINK); the disk cache's folder belongs to
the site alone and is emptied whole.
"""

import logging

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
BATCH = 500


def forget_everything() -> bool:
    """Drop every key the site keeps in its shared cache. False, logged, when
    the cache could not be reached: what it holds ages out by its own expiry."""
    try:
        if isinstance(cache, RedisCache):
            _unlink_own_keys()
        else:
            cache.clear()
    except Exception:
        logger.warning("the shared cache could not be emptied", exc_info=True)
        return False
    return True


def _unlink_own_keys() -> None:
    client = cache._cache.get_client(write=True)
    # make_key("*") is the prefix and version every key of ours carries.
    batch = []
    for key in client.scan_iter(match=cache.make_key("*"), count=BATCH):
        batch.append(key)
        if len(batch) == BATCH:
            client.unlink(*batch)
            batch.clear()
    if batch:
        client.unlink(*batch)
