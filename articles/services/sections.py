"""
Sections and authors: the names the site prints around articles.

Saving or removing one purges the pages that print it (``articles.cache``);
an author's new photo is stored with its renditions first (a heavy one's
are queued as a job, ``articles.tasks``).
"""

from functools import partial

from django.db import transaction

from articles import cache, tasks
from articles.images import renditions_deferred
from articles.models import Author, Section


@transaction.atomic
def section_save(*, section: Section) -> Section:
    """Create or change ``section``; the menu on every page and the pages
    that print its name are purged."""
    section.save()
    cache.section_changed(section)
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Remove ``section`` (``ProtectedError`` while articles are filed in it)."""
    # Named before delete() clears its id; the purge waits for the commit.
    cache.section_changed(section)
    section.delete()


@transaction.atomic
def author_save(*, author: Author) -> Author:
    """Create or change ``author``, storing a new photo with its renditions;
    every page with their byline is purged."""
    renditions = author.store_photo()
    if renditions is None and author.pk:
        # Same photo: keep what a rendition job wrote since this copy was read.
        row = (
            Author.objects.select_for_update()
            .filter(pk=author.pk, photo=author.photo.name)
            .values_list("photo_renditions", flat=True)
            .first()
        )
        if row is not None:
            author.photo_renditions = row
    try:
        author.save()
    except BaseException:
        author.discard_photo(renditions)
        raise
    if renditions_deferred(renditions):
        transaction.on_commit(
            partial(tasks.make_photo_renditions.enqueue, author.pk, author.photo.name),
            robust=True,
        )
    cache.author_changed(author)
    return author
