"""``caching.purges.purges_gathered``: an import's purges made together, once
at the end (and every so often before it), not once per batch."""

from django.core.cache import cache

from caching import pages, purges


def _generation(tag: str) -> int:
    return cache.get(pages.TAG_PREFIX + tag, 0)


def test_purges_inside_the_block_are_made_once_at_its_end():
    before = _generation("list:front")
    with purges.purges_gathered(every=3600):
        purges.purge_now("list:front", "article:1")
        purges.purge_now("list:front", "article:2")
        assert _generation("list:front") == before
    assert _generation("list:front") == before + 1
    assert _generation("article:2") >= 1


def test_a_long_block_purges_every_so_often():
    before = _generation("list:front")
    with purges.purges_gathered(every=0):
        purges.purge_now("list:front")
        assert _generation("list:front") == before + 1
    assert _generation("list:front") == before + 1  # nothing left to purge


def test_outside_the_block_a_purge_is_made_at_once():
    before = _generation("list:front")
    purges.purge_now("list:front")
    assert _generation("list:front") == before + 1
