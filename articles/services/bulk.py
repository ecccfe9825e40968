"""
What every article write owes after the row is saved, and the bulk path that
owes it once.

A single write (``article_create``, ``article_update``, a transition, a
delete) refreshes the piece's search vector and schedules the purge of its
page and lists right away. An import writes thousands of pieces; doing that
per piece would cost an UPDATE and a purge of every list each time. So::

    with article_batch():
        for item in items:
            article_create(user=importer, fields=..., bylines=..., tags=...)

runs every write in one transaction through the same services (checks,
renditions, old addresses, revisions), and at the end refreshes the search
vectors of all the pieces in one UPDATE and purges their pages and every list
any of them is or was on once, after commit. If anything in the block raises,
the whole batch rolls back and nothing is purged. Keep a batch to a few
thousand pieces: its ids travel in one ``IN`` list.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction

from articles import cache
from articles.models import Article
from articles.search import update_search_vectors


@dataclass
class ArticleBatch:
    """What the writes of one ``article_batch`` deferred."""

    search_ids: set[int] = field(default_factory=set)
    purge_ids: set[int] = field(default_factory=set)
    section_ids: set[int] = field(default_factory=set)
    tag_ids: set[int] = field(default_factory=set)
    author_ids: set[int] = field(default_factory=set)


_batch: ContextVar[ArticleBatch | None] = ContextVar("article_batch", default=None)


@contextmanager
def article_batch() -> Iterator[ArticleBatch]:
    """Write many articles in one transaction; search vectors and purges once,
    at the end (see the module's docstring). Does not nest."""
    if _batch.get() is not None:
        raise RuntimeError("article_batch() is already open; it does not nest.")
    batch = ArticleBatch()
    token = _batch.set(batch)
    try:
        with transaction.atomic():
            yield batch
            if batch.search_ids:
                update_search_vectors(Article.objects.filter(pk__in=batch.search_ids))
            if batch.purge_ids:
                cache.articles_changed(
                    batch.purge_ids,
                    section_ids=batch.section_ids,
                    old_tag_ids=batch.tag_ids,
                    old_author_ids=batch.author_ids,
                )
    finally:
        _batch.reset(token)


def batch_is_open() -> bool:
    return _batch.get() is not None


def after_write(
    article: Article,
    *,
    purge: bool,
    search: bool = True,
    old_section_id: int | None = None,
    old_tag_ids=(),
    old_author_ids=(),
) -> None:
    """The search vector and the purge one write of ``article`` owes: now, or
    at the end of the open ``article_batch``. ``old_*``: what the piece carried
    before the write (lists it left are stale too)."""
    batch = _batch.get()
    if batch is None:
        if search:
            update_search_vectors(Article.objects.filter(pk=article.pk))
        if purge:
            cache.article_changed(
                article,
                old_section_id=old_section_id,
                old_tag_ids=old_tag_ids,
                old_author_ids=old_author_ids,
            )
        return
    if search:
        batch.search_ids.add(article.pk)
    if purge:
        batch.purge_ids.add(article.pk)
        batch.section_ids.add(article.section_id)
        if old_section_id:
            batch.section_ids.add(old_section_id)
        batch.tag_ids.update(old_tag_ids)
        batch.author_ids.update(old_author_ids)
