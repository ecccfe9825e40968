"""
Many new articles in one go, for an importer: ``article_create_many``.

``article_create`` costs a piece about seventy queries (its parts one by one,
a django-reversion revision that follows every relation, the transition
row), most of an import's time. This path checks every row exactly as
``article_create`` does (``prepare_create``: permission, transition,
``full_clean``, parts) before writing anything, then writes the rows that
passed together: one INSERT each for the articles, bylines, takeaways, tagged
items, transitions, revisions and versions (new tags are made by taggit's
own rule). Search vectors and purges go to the ``article_batch`` it runs in:
one UPDATE and one purge for the batch.

History stays per piece: every article gets a revision of its own, with the
comment and the versions ``article_create`` would record (the row and the
parts django-reversion follows), built from the rows just written. One
"Imported" revision per batch would be cheaper still, but the admin's
history reverts a whole revision, and would take every other piece of the
batch with it. The revision signals are not sent; nothing of ours listens.

A row that fails its checks is returned with its error and not written. If
the write itself fails (a constraint the checks could not see, such as two
rows wanting one slug), its savepoint is rolled back, nothing of it stays,
and every row goes through ``article_create`` on its own, so only the bad
one fails.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import reversion
from django.core import serializers
from django.db import DatabaseError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from reversion.models import Revision, Version
from reversion.revisions import _get_content_type, _get_options

from articles import tasks
from articles.images import renditions_deferred
from articles.models import (
    Article,
    ArticleAuthor,
    ArticleTransition,
    Author,
    KeyTakeaway,
    TaggedArticle,
)
from articles.models.own_fields import fill_own_fields

from .articles import article_create, prepare_create
from .bulk import after_write, article_batch, batch_is_open
from .writes import Parts


@dataclass
class NewArticle:
    """One row for ``article_create_many``: ``article_create``'s arguments."""

    fields: dict[str, Any]
    slug: str = ""
    bylines: list[Author] = field(default_factory=list)
    tags: list = field(default_factory=list)
    takeaways: list = field(default_factory=list)
    action: str | None = None
    publish_at: datetime | None = None
    note: str = ""

    def arguments(self) -> dict[str, Any]:
        return {
            "fields": dict(self.fields),
            "bylines": self.bylines,
            "tags": self.tags,
            "takeaways": self.takeaways,
            "article": Article(slug=self.slug),
            "action": self.action,
            "publish_at": self.publish_at,
            "note": self.note,
        }


@dataclass
class _Checked:
    index: int
    article: Article
    parts: Parts
    comment: str
    from_status: str
    note: str
    action: str | None


def article_create_many(
    *, user, rows: Sequence[NewArticle]
) -> list[Article | Exception]:
    """Create ``rows``; for each, in order, the article or why it was refused
    (``PermissionDenied`` or ``ValidationError``, as ``article_create``)."""
    if not batch_is_open():
        with article_batch():
            return article_create_many(user=user, rows=rows)
    results: list[Article | Exception] = [None] * len(rows)  # type: ignore[list-item]
    checked = []
    for index, row in enumerate(rows):
        try:
            article, parts, comment, from_status, note = prepare_create(
                user=user, **row.arguments()
            )
        # As the importer's savepoint per post: any reason is the row's own.
        except Exception as error:
            results[index] = error
            continue
        checked.append(
            _Checked(index, article, parts, comment, from_status, note, row.action)
        )
    try:
        with transaction.atomic():
            _write(user, checked)
    except DatabaseError:
        for entry in checked:
            try:
                with transaction.atomic():
                    results[entry.index] = article_create(
                        user=user, **rows[entry.index].arguments()
                    )
            except Exception as error:
                results[entry.index] = error
        return results
    for entry in checked:
        results[entry.index] = entry.article
    return results


def _write(user, checked: list[_Checked]) -> None:
    if not checked:
        return
    if not connection.features.can_return_rows_from_bulk_insert:
        raise DatabaseError("bulk_create does not return ids here")
    stored = []
    try:
        for entry in checked:
            renditions = entry.article.store_lead_image()
            stored.append((entry.article, renditions))
            fill_own_fields(entry.article)
        Article.objects.bulk_create([entry.article for entry in checked])
    except BaseException:
        for article, renditions in stored:
            article.discard_lead_image(renditions)
        raise
    bylines, takeaways = [], []
    for entry in checked:
        for row in entry.parts.bylines or ():
            row.article = entry.article
            bylines.append(row)
        for row in entry.parts.takeaways or ():
            row.article = entry.article
            takeaways.append(row)
    ArticleAuthor.objects.bulk_create(bylines)
    KeyTakeaway.objects.bulk_create(takeaways)
    tagged = _tagged_items(checked)
    TaggedArticle.objects.bulk_create(tagged)
    ArticleTransition.objects.bulk_create(
        ArticleTransition(
            article=entry.article,
            from_status=entry.from_status,
            to_status=entry.article.status,
            publish_at=entry.article.publish_at,
            user=user,
            note=entry.note,
        )
        for entry in checked
        if entry.action is not None
    )
    _revisions(user, checked, [*bylines, *takeaways, *tagged])
    for article, renditions in stored:
        if renditions_deferred(renditions):
            transaction.on_commit(
                partial(
                    tasks.make_lead_image_renditions.enqueue,
                    article.pk,
                    article.lead_image.name,
                ),
                robust=True,
            )
        after_write(
            article,
            purge=article.first_published_at is not None
            or article.status != Article.Status.DRAFT,
        )


def _tagged_items(checked: list[_Checked]) -> list[TaggedArticle]:
    """The tag rows, with the tags found in one query; new ones are made by
    taggit (its case rule and unique slugs)."""
    tag_model = TaggedArticle.tag_model()
    names = {
        tag.lower()
        for entry in checked
        for tag in entry.parts.tags or ()
        if isinstance(tag, str)
    }
    found = {
        tag.lowered: tag
        for tag in tag_model.objects.annotate(lowered=Lower("name")).filter(
            lowered__in=names
        )
    }
    missing = [
        tag
        for entry in checked
        for tag in entry.parts.tags or ()
        if isinstance(tag, str) and tag.lower() not in found
    ]
    if missing:
        manager = checked[0].article.tags
        for tag in manager._to_tag_model_instances(missing, {}):
            found[tag.name.lower()] = tag
    rows = []
    for entry in checked:
        tags = [
            found[tag.lower()] if isinstance(tag, str) else tag
            for tag in entry.parts.tags or ()
        ]
        for tag in dict.fromkeys(tags):
            rows.append(TaggedArticle(content_object=entry.article, tag=tag))
    return rows


def _revisions(user, checked: list[_Checked], parts: list) -> None:
    """A revision per article with the versions django-reversion would store
    (``reversion.register(Article, follow=...)`` in articles.selectors)."""
    if not reversion.is_registered(Article):
        return
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        Revision(date_created=now, user=user, comment=entry.comment)
        for entry in checked
    )
    by_article = {
        entry.article.pk: revision
        for entry, revision in zip(checked, revisions, strict=True)
    }
    versions = [
        _version(entry.article, by_article[entry.article.pk]) for entry in checked
    ]
    for part in parts:
        if reversion.is_registered(type(part)):
            owner = getattr(part, "article_id", None) or part.content_object_id
            versions.append(_version(part, by_article[owner]))
    Version.objects.bulk_create(versions)


def _version(obj, revision: Revision) -> Version:
    options = _get_options(type(obj))
    return Version(
        revision=revision,
        content_type=_get_content_type(type(obj), connection.alias),
        object_id=str(obj.pk),
        db=connection.alias,
        format=options.format,
        serialized_data=serializers.serialize(
            options.format,
            (obj,),
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        ),
        object_repr=str(obj),
    )
