"""
The articles' background jobs: the renditions of a heavy image, made by the
job worker (``manage.py run_jobs``) instead of inside an editor's request.

The services store the normalised upload in the write and queue one of these
when it commits (``robust``: a queue that cannot be written is logged, the
editor's save stands). Until the job has run, the row's renditions list is
empty, and every page then shows no picture rather than the raw upload.

The worker runs a job at least once, so a job is safe to repeat: it names the
file it was queued for, and writes only while the row still points at that
file (a newer upload wins; the older job's files are taken back) and has no
renditions yet (a second run changes nothing). A file missing from storage
raises, the worker retries with backoff and finally logs the error; the piece
stays published without its image.
"""

from collections.abc import Callable

from django.db import models, transaction
from django_tasks import task

from articles import cache
from articles.images import discard_files, make_renditions
from articles.models import Article, Author


@task()
def make_lead_image_renditions(article_id: int, name: str) -> bool:
    """The renditions of the lead image ``name`` of article ``article_id``."""
    return _make_renditions(
        Article, article_id, "lead_image", name, purge=cache.article_changed
    )


@task()
def make_photo_renditions(author_id: int, name: str) -> bool:
    """The renditions of the photo ``name`` of author ``author_id``."""
    return _make_renditions(
        Author, author_id, "photo", name, purge=cache.author_changed
    )


def _make_renditions(
    model: type[models.Model],
    pk: int,
    field: str,
    name: str,
    *,
    purge: Callable[[models.Model], None],
) -> bool:
    """Make and record the renditions; True if this run wrote them."""
    renditions_field = f"{field}_renditions"
    rows = model._base_manager.filter(pk=pk, **{field: name})
    if not rows.filter(**{renditions_field: []}).exists():
        return False  # a newer file, a deleted row, or already done
    renditions = make_renditions(name, storage=model._meta.get_field(field).storage)
    with transaction.atomic():
        # Conditional, so an upload saved while this job ran is not undone.
        written = rows.update(**{renditions_field: renditions})
        if written:
            purge(model._base_manager.get(pk=pk))
    if not written:
        discard_files(model._meta.get_field(field).storage, _names(renditions))
    return bool(written)


def _names(renditions) -> list[str]:
    return [rendition["name"] for rendition in renditions]
