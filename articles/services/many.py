"""
Many new articles in one go, for an importer: ``article_create_many``.

``article_create`` costs a piece about seventy queries (its parts one by one,
a django-reversion revision that follows every relation, the transition
row), most of an import's time. This path checks every row as
``article_create`` does (``prepare_create``: permission, transition, fields,
parts) before writing anything, the checks that need a query for all rows
at once (foreign keys, a slug taken by another piece, by an earlier row or
by an old address: a query each per batch, not per row), then writes the
rows that passed together through ``rows_insert``: one INSERT per table for
the articles, bylines, takeaways, tagged items, transitions, revisions and
versions (new tags are made by taggit's own rule). Search vectors and
purges go to the ``article_batch`` it runs in: one UPDATE and one purge for
the batch.

History stays per piece: every article gets a revision of its own, with the
comment and the versions ``article_create`` would record (the row and the
parts django-reversion follows), built from the rows just written. One
"Imported" revision per batch would be cheaper still, but the admin's
history reverts a whole revision, and would take every other piece of the
batch with it. The revision signals are not sent; nothing of ours listens.

A row that fails its checks is returned with its error and not written. If
the write itself fails (a constraint the checks could not see), its
savepoint is rolled back, nothing of it stays, and every row goes through
``article_create`` on its own, so only the bad one fails.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from reversion.models import Revision, Version

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
from articles.selectors.revisions import FORMAT, version_fields

from .articles import LOOKUP_FIELDS, article_create, prepare_create
from .bulk import after_write, article_batch, batch_is_open
from .rows import rows_insert
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
                user=user, lookups=False, **row.arguments()
            )
        # As the importer's savepoint per post: any reason is the row's own.
        except Exception as error:
            results[index] = error
            continue
        checked.append(
            _Checked(index, article, parts, comment, from_status, note, row.action)
        )
    refused = _refused_by_lookups(checked)
    for index, error in refused.items():
        results[index] = error
    checked = [entry for entry in checked if entry.index not in refused]
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


def _refused_by_lookups(checked: list[_Checked]) -> dict[int, ValidationError]:
    """The checks ``prepare_create(lookups=False)`` left out, for every row at
    once, with ``full_clean``'s words: a foreign key that leads nowhere, a
    slug an old address leads elsewhere from, a slug another piece (or an
    earlier row) has. A query per foreign key and two for the slugs."""
    errors: dict[int, dict] = {}

    def refuse(entry: _Checked, error: ValidationError) -> None:
        errors[entry.index] = error.update_error_dict(errors.get(entry.index, {}))

    for name in LOOKUP_FIELDS:
        key = Article._meta.get_field(name)
        target = key.remote_field.field_name
        values = {getattr(entry.article, key.attname) for entry in checked}
        found = set(
            key.remote_field.model._base_manager.filter(
                **{f"{target}__in": values - {None}}
            )
            .complex_filter(key.get_limit_choices_to())
            .values_list(target, flat=True)
        )
        for entry in checked:
            value = getattr(entry.article, key.attname)
            if value not in found:
                try:  # the field's own check, with its own words
                    key.clean(value, entry.article)
                except ValidationError as error:
                    refuse(entry, ValidationError({name: error.error_list}))
    slugs = {entry.article.slug for entry in checked} - {""}
    elsewhere = Article.old_address_headlines(slugs)
    taken = set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    for entry in checked:
        slug = entry.article.slug
        if not slug:
            continue  # made from the headline when written, free by then
        if slug in elsewhere:
            refuse(entry, Article.slug_leads_elsewhere(elsewhere[slug]))
        elif slug in taken:
            message = entry.article.unique_error_message(Article, ("slug",))
            refuse(entry, ValidationError({"slug": [message]}))
        taken.add(slug)
    return {index: ValidationError(error) for index, error in errors.items()}


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
        rows_insert(Article, [entry.article for entry in checked])
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
    rows_insert(ArticleAuthor, bylines)
    rows_insert(KeyTakeaway, takeaways)
    tagged = _tagged_items(checked)
    rows_insert(TaggedArticle, tagged)
    rows_insert(
        ArticleTransition,
        [
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
        ],
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
    (``reversion.register(Article, follow=...)`` in articles.selectors.revisions)."""
    if not reversion.is_registered(Article):
        return
    now = timezone.now()
    revisions = rows_insert(
        Revision,
        [
            Revision(date_created=now, user=user, comment=entry.comment)
            for entry in checked
        ],
    )
    by_article = {
        entry.article.pk: revision
        for entry, revision in zip(checked, revisions, strict=True)
    }
    owners = [(entry.article, by_article[entry.article.pk]) for entry in checked]
    for part in parts:
        if reversion.is_registered(type(part)):
            owner = getattr(part, "article_id", None) or part.content_object_id
            owners.append((part, by_article[owner]))
    by_model: dict[type, list] = {}
    for obj, revision in owners:
        by_model.setdefault(type(obj), []).append((obj, revision))
    versions = []
    for model, pairs in by_model.items():
        content_type = ContentType.objects.db_manager(connection.alias).get_for_model(
            model
        )
        data = _serialized(model, [obj for obj, _ in pairs])
        versions.extend(
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(obj.pk),
                db=connection.alias,
                format=FORMAT,
                serialized_data=serialized,
                object_repr=str(obj),
            )
            for (obj, revision), serialized in zip(pairs, data, strict=True)
        )
    rows_insert(Version, versions)


def _serialized(model, objects: list) -> list[str]:
    """Each object as django-reversion stores it (``serializers.serialize(
    FORMAT, (obj,), fields=...)``, with the fields and format registered in
    ``articles.selectors.revisions``), from one pass of Django's serializer
    over them all. The JSON is written by ``json.dumps``, whose C encoder is
    many times faster than the pure-Python one ``json.dump`` to a stream
    takes; the text is the same."""
    fields = version_fields(model)
    if FORMAT != "json":
        return [serializers.serialize(FORMAT, (obj,), fields=fields) for obj in objects]
    return [
        "[" + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "]"
        for row in serializers.serialize("python", objects, fields=fields)
    ]
