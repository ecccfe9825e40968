"""
What every article write does, in one place (``articles`` and
``transitions`` call it): check the parts before writing, lock the row and
compare its version, store a new lead image with its renditions (a heavy
one's are queued as a job, ``articles.tasks``), save the row and its parts,
keep the old address of a piece that moved, then the search vector and the
purge (``bulk.after_write``), and, after commit, the signals for outside
listeners (``announce``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from articles import tasks
from articles.images import renditions_deferred
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleConflict,
    ArticlePath,
    Author,
    KeyTakeaway,
    RelatedArticle,
    TaggedArticle,
)

from .announce import announce_write
from .bulk import after_write

BEFORE_FIELDS = (
    "version",
    # What the write changes in the piece's public life (``announce``).
    "status",
    "slug",
    "publish_at",
    "created_at",
    "first_published_at",
    "section_id",
    # A rendition job may have written these since the editor's copy was read.
    "lead_image",
    "lead_image_renditions",
)

SaveParts = Callable[[Article], None]


@dataclass
class Before:
    """What the piece was before this write: for the old address and the purge."""

    row: dict = field(default_factory=dict)
    tag_ids: list[int] = field(default_factory=list)
    author_ids: list[int] = field(default_factory=list)


@dataclass
class Parts:
    """Bylines, tags, takeaways and editor's picks to replace, checked first."""

    bylines: list[ArticleAuthor] | None = None
    tags: list | None = None
    takeaways: list[KeyTakeaway] | None = None
    related: list[RelatedArticle] | None = None

    @property
    def given(self) -> bool:
        return any(
            value is not None
            for value in (self.bylines, self.tags, self.takeaways, self.related)
        )

    @property
    def moves_lists(self) -> bool:
        """Whether the piece may join or leave a tag's or author's list."""
        return self.bylines is not None or self.tags is not None


def build_parts(
    article: Article,
    *,
    bylines: Iterable[Author] | None,
    tags: Iterable | None,
    takeaways: Iterable | None,
    related: Iterable[Article] | None,
) -> Parts:
    """Build and validate the parts; ``ValidationError`` names the bad one."""
    parts = Parts()
    if bylines is not None:
        parts.bylines = [
            ArticleAuthor(author=author, position=position)
            for position, author in enumerate(bylines)
        ]
        authors = [byline.author_id for byline in parts.bylines]
        if len(set(authors)) != len(authors):
            raise ValidationError({"bylines": _("Name each author once.")})
    if tags is not None:
        parts.tags = list(tags)
        too_long = [t for t in parts.tags if isinstance(t, str) and len(t) > 100]
        if too_long:
            raise ValidationError(
                {
                    "tags": _(
                        "A tag may be at most 100 characters: “%(tag)s” is longer."
                    )
                    % {"tag": too_long[0]}
                }
            )
    if takeaways is not None:
        parts.takeaways = []
        for position, item in enumerate(takeaways):
            label, text = (
                (item["label"], item["text"]) if isinstance(item, dict) else item
            )
            takeaway = KeyTakeaway(position=position, label=label, text=text)
            takeaway.full_clean(exclude=["article"])
            parts.takeaways.append(takeaway)
    if related is not None:
        parts.related = [
            RelatedArticle(to_article=pick, position=position)
            for position, pick in enumerate(related)
        ]
        if article.pk is not None and any(
            link.to_article_id == article.pk for link in parts.related
        ):
            raise ValidationError(
                {"related": _("An article cannot be related to itself.")}
            )
    return parts


def _save_parts(article: Article, parts: Parts) -> None:
    for rows, model in (
        (parts.bylines, ArticleAuthor),
        (parts.takeaways, KeyTakeaway),
    ):
        if rows is None:
            continue
        model.objects.filter(article=article).delete()
        for row in rows:
            row.article = article
        model.objects.bulk_create(rows)
    if parts.related is not None:
        RelatedArticle.objects.filter(from_article=article).delete()
        for link in parts.related:
            link.from_article = article
        RelatedArticle.objects.bulk_create(parts.related)
    if parts.tags is not None:
        article.tags.set(parts.tags)


def lock(
    article: Article,
    expected_version: int | None,
    *,
    lists: bool = False,
    check: bool = True,
) -> Before:
    """Lock the row; refuse a copy older than it; read what the write changes.

    ``expected_version`` is the version the editor opened; without it, the
    version ``article`` was loaded at. ``lists``: also the tags and authors
    it carries now, when the write may take it off their lists.
    """
    row = (
        Article.objects.select_for_update()
        .filter(pk=article.pk)
        .values(*BEFORE_FIELDS)
        .first()
    )
    if row is None:
        raise Article.DoesNotExist(f"Article {article.pk} no longer exists.")
    expected = article.version if expected_version is None else expected_version
    if check and row["version"] != expected:
        raise ArticleConflict(article)
    before = Before(row=row)
    if lists:
        before.tag_ids = list(
            TaggedArticle.objects.filter(content_object=article).values_list(
                "tag_id", flat=True
            )
        )
        before.author_ids = list(
            ArticleAuthor.objects.filter(article=article).values_list(
                "author_id", flat=True
            )
        )
    article.version = row["version"] + 1
    return before


def write(
    article: Article,
    *,
    before: Before | None,
    parts: Parts | None = None,
    save_parts: SaveParts | None = None,
) -> None:
    """Store the image, save the row and its parts, then the derived data."""
    renditions = article.store_lead_image()
    if renditions is None and before is not None:
        _keep_job_renditions(article, before.row)
    try:
        if before is None:
            article.save()
        else:
            article.save(update_fields=[*Article.content_fields(), "version"])
        if parts is not None:
            _save_parts(article, parts)
        if save_parts is not None:
            save_parts(article)
    except BaseException:
        article.discard_lead_image(renditions)
        raise
    if renditions_deferred(renditions):
        transaction.on_commit(
            partial(
                tasks.make_lead_image_renditions.enqueue,
                article.pk,
                article.lead_image.name,
            ),
            robust=True,
        )
    if before is not None:
        _record_old_path(article, before.row)
    after_write(
        article,
        # A draft that was never out is on no public page.
        purge=article.first_published_at is not None
        or article.status != Article.Status.DRAFT,
        old_section_id=(
            before.row["section_id"]
            if before is not None and before.row["section_id"] != article.section_id
            else None
        ),
        old_tag_ids=before.tag_ids if before else (),
        old_author_ids=before.author_ids if before else (),
    )
    announce_write(article, before_row=before.row if before is not None else None)


def _keep_job_renditions(article: Article, row: dict) -> None:
    """Same image as the locked row: keep the renditions a job wrote there.

    The editor's copy was read before the lock, perhaps before the job
    finished; saving its empty list would undo the job's work for good.
    """
    if article.lead_image.name == row["lead_image"]:
        article.lead_image_renditions = row["lead_image_renditions"]


def _record_old_path(article: Article, row: dict) -> None:
    """A published piece whose address changed: its old one answers 301."""
    old = article.old_url(row)
    current = article.get_absolute_url()
    if not old or old == current:
        return  # the address did not change: nothing to record or revive
    # Coming back to an address it had makes that address live again.
    ArticlePath.objects.filter(article=article, path=current).delete()
    ArticlePath.objects.get_or_create(path=old, defaults={"article": article})
