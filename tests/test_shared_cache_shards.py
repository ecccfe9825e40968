"""Which shard of the disk cache holds a key (``caching.disk._shard_hash``).

Keys with the same hash tag (the part in braces, Redis Cluster's rule) live
on one shard, so a post's rate-limit slots and double-click claim are written
in one transaction; every other key is spread by its whole name, as before.
"""

from unittest import mock

from comments import ratelimit
from tests.test_shared_cache import disk


def _shard_of(cache, key: str) -> int:
    fanout = cache._cache
    return fanout._hash(cache.make_key(key)) % fanout._count


def _holding(cache, key: str) -> list[int]:
    """The shards whose table has a row for ``key``."""
    made = cache.make_key(key)
    return [
        number
        for number, shard in enumerate(cache._cache._shards)
        if shard._sql("SELECT 1 FROM Cache WHERE key = ?", (made,)).fetchone()
    ]


def test_keys_with_one_hash_tag_share_a_shard_and_others_spread(tmp_path):
    cache = disk(tmp_path)
    tagged = [f"{ratelimit.PREFIX}:post-ip:15:{n}:0" for n in range(40)]
    plain = [f"comments:rate:post-ip:15:{n}:0" for n in range(40)]

    assert len({_shard_of(cache, key) for key in tagged}) == 1
    assert len({_shard_of(cache, key) for key in plain}) > 1


def test_a_tagged_key_is_stored_read_and_deleted_on_its_tags_shard(tmp_path):
    cache = disk(tmp_path)
    key = f"{ratelimit.PREFIX}:dup:7:abc"

    assert cache.add_many([(key, 1, 60)]) == [True]
    assert cache.add(key, 2, 60) is False
    assert cache.get(key) == 1
    assert _holding(cache, key) == [_shard_of(cache, key)]
    cache.delete_many([key])
    assert cache.get(key) is None


def test_a_posts_slots_and_claim_are_one_write_on_one_shard(tmp_path):
    cache = disk(tmp_path)
    items = [
        (f"{ratelimit.PREFIX}:post-ip:15:a:0", 1.0, 15),
        (f"{ratelimit.PREFIX}:post-email:15:b:0", 1.0, 15),
        (f"{ratelimit.PREFIX}:post-ip:3600:a:0", 1.0, 3600),
        (f"{ratelimit.PREFIX}:post-email:3600:b:0", 1.0, 3600),
        (f"{ratelimit.PREFIX}:dup:7:c", 1, 60),
    ]
    cache.add_many([])  # opens the folder
    with mock.patch.object(cache, "_write", wraps=cache._write) as write:
        assert cache.add_many(items) == [True] * 5

    assert write.call_count == 1


def test_braces_that_name_no_tag_spread_by_the_whole_key(tmp_path):
    fanout = disk(tmp_path)._cache
    whole = fanout._shards[0].disk.hash
    for key in ["{}:a", "{open:a", "close}:a", "a:}{"]:
        assert fanout._hash(key) == whole(key), key
    # The first "{" and the next "}" after it, as Redis Cluster reads them.
    assert fanout._hash("}{x}{y}") == whole("x")
    assert fanout._hash(b"{bytes}") == whole(b"{bytes}")
