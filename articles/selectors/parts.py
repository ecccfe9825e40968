"""
An article and everything its page shows of it, in one query (``with_parts``,
then ``attach``), with its plain ``prefetch_related`` twin
(``with_parts_prefetched``) that the tests hold it to.

The page needs the bylines (with their authors), the tags, the key takeaways,
the public corrections and the candidates for related articles. Fetched with
``prefetch_related`` that is a query each; here each part is a correlated
subquery that returns the part's rows as one JSON array, so the article row
arrives with all of them. ``attach`` turns the arrays back into model
instances and puts them where ``prefetch_related`` would have, so templates
and code keep reading ``article.tags.all()`` and ``article.bylines.all()``.

Both databases build the arrays natively: ``json_group_array`` on SQLite,
``json_agg`` on PostgreSQL, which sends them as text, as SQLite does: the
article page reads them as text for its fragments' keys and parses them only
when a fragment is rendered (psycopg2 would parse a ``json`` column at once).
The parts are small (a handful of rows each), so the subqueries cost far less
than the round trips they replace.
"""

import functools
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    KeyTakeaway,
    RelatedArticle,
    TaggedArticle,
)
from articles.models.queryset import RELATED_WINDOW, _related_candidates

OUTER = f'"{Article._meta.db_table}"."{Article._meta.pk.column}"'


@dataclass(frozen=True)
class Part:
    """Rows of the ``sources`` models (joined left to right) that belong to
    one article. The article must be its query's base table, unaliased
    (``OUTER``), as it is for the article page's lookup by address."""

    name: str
    sources: tuple[type[models.Model], ...]
    tables: str  # FROM ... with joins, each model's table aliased t0, t1 …
    where: str  # correlated to OUTER
    order: str
    # (source's index, field name): only these columns, for a part of a list
    # (``selectors.lists``); every column of every source otherwise.
    only: tuple[tuple[int, str], ...] = ()

    def columns(self) -> list[str]:
        if self.only:
            fields = [
                (i, self.sources[i]._meta.get_field(name)) for i, name in self.only
            ]
        else:
            fields = [
                (index, field)
                for index, model in enumerate(self.sources)
                for field in model._meta.concrete_fields
            ]
        return [f"t{i}.{connection.ops.quote_name(f.column)}" for i, f in fields]

    def sql(self) -> str:
        columns = self.columns()
        body = f"FROM {self.tables} WHERE {self.where}"
        if connection.vendor == "postgresql":
            return (
                f"(SELECT COALESCE(json_agg(json_build_array({', '.join(columns)}) "
                f"ORDER BY {self.order}), '[]'::json)::text {body})"
            )
        # SQLite aggregates in the order the rows arrive: order them first.
        named = ", ".join(f"{column} AS c{n}" for n, column in enumerate(columns))
        names = ", ".join(f"c{n}" for n in range(len(columns)))
        return (
            f"(SELECT json_group_array(json_array({names})) FROM "
            f"(SELECT {named} {body} ORDER BY {self.order}) AS part_rows)"
        )

    def annotation(self) -> RawSQL:
        return RawSQL(
            _sql(self, connection.vendor), [], output_field=models.TextField()
        )


@functools.cache
def _sql(part: Part, vendor: str) -> str:
    """``part.sql()``, made once per kind of database: the same text every
    time, and making it cost about 0.1 ms a part on every article page."""
    return part.sql()


def _table(model, alias: str) -> str:
    return f"{connection.ops.quote_name(model._meta.db_table)} {alias}"


PARTS = {
    part.name: part
    for part in (
        Part(
            name="bylines",
            sources=(ArticleAuthor, Author),
            tables=f"{_table(ArticleAuthor, 't0')} JOIN {_table(Author, 't1')} "
            "ON t1.id = t0.author_id",
            where=f"t0.article_id = {OUTER}",
            order="t0.position, t0.id",
        ),
        Part(
            name="tags",
            sources=(Tag,),
            tables=f"{_table(Tag, 't0')} JOIN {_table(TaggedArticle, 'ti')} "
            "ON ti.tag_id = t0.id",
            where=f"ti.content_object_id = {OUTER}",
            order="ti.id",
        ),
        Part(
            name="takeaways",
            sources=(KeyTakeaway,),
            tables=_table(KeyTakeaway, "t0"),
            where=f"t0.article_id = {OUTER}",
            order="t0.position, t0.id",
        ),
        Part(
            name="corrections",
            sources=(Correction,),
            tables=_table(Correction, "t0"),
            where=f"t0.article_id = {OUTER} AND t0.removed_at IS NULL",
            order="t0.published_at DESC, t0.id DESC",
        ),
    )
}


@functools.cache
def _candidates_sql(vendor: str) -> str:
    """The editor's picks with their position, then the newest pieces sharing
    a tag (at most RELATED_WINDOW), as [[id, position or null], …]; made
    once per kind of database (``vendor``)."""
    links = connection.ops.quote_name(RelatedArticle._meta.db_table)
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    rows = (
        f"SELECT to_article_id AS id, position AS pick FROM {links} "
        f"WHERE from_article_id = {OUTER} "
        f"UNION ALL SELECT id, NULL FROM (SELECT content_object_id AS id "
        f"FROM {tagged} WHERE tag_id IN (SELECT tag_id FROM {tagged} "
        f"WHERE content_object_id = {OUTER}) AND content_object_id <> {OUTER} "
        # "+ 0": ordering by the bare column let PostgreSQL walk the whole
        # table's index backwards testing each row's tag (25 ms at 20,000
        # pieces); this way it reads these tags' rows and sorts them (0.4 ms),
        # SQLite too (24 ms to 1.9 ms for the viral piece at 100,000).
        f"ORDER BY content_object_id + 0 DESC LIMIT {int(RELATED_WINDOW)}) recent"
    )
    if connection.vendor == "postgresql":
        return (
            "(SELECT COALESCE(json_agg(json_build_array(c.id, c.pick)),"
            f" '[]'::json)::text FROM ({rows}) c)"
        )
    return f"(SELECT json_group_array(json_array(c.id, c.pick)) FROM ({rows}) c)"


def with_parts(articles: models.QuerySet, *, related: bool = True) -> models.QuerySet:
    """``articles`` with every part of the page in the same row; without the
    candidates for related posts when ``related`` is false (the content API's
    lists, which print none)."""
    annotations = {f"part_{name}": part.annotation() for name, part in PARTS.items()}
    if related:
        annotations["part_related"] = RawSQL(
            _candidates_sql(connection.vendor), [], output_field=models.TextField()
        )
    return articles.annotate(**annotations)


def _load(value):
    return json.loads(value) if isinstance(value, str) else value


def _python(field, value):
    """A value from the JSON array as the model field holds it."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)  # SQLite keeps UTC
        return moment
    if isinstance(field, models.JSONField):
        return _load(value)  # SQLite nests it as text
    if isinstance(field, models.BooleanField):
        return bool(value)
    return value


def _instances(part: Part, row: list) -> list[models.Model]:
    made, start = [], 0
    for model in part.sources:
        fields = model._meta.concrete_fields
        values = [_python(f, v) for f, v in zip(fields, row[start:], strict=False)]
        names = [field.attname for field in fields]
        made.append(model.from_db(connection.alias, names, values))
        start += len(fields)
    return made


def _prefetched(manager, items: list) -> models.QuerySet:
    queryset = manager.get_queryset()
    queryset._result_cache = items
    queryset._prefetch_done = True
    return queryset


def _objects(article: Article, name: str) -> list[models.Model]:
    """The instances of a one-model part."""
    part = PARTS[name]
    return [_instances(part, row)[0] for row in _load(getattr(article, f"part_{name}"))]


def with_parts_prefetched(articles: models.QuerySet) -> models.QuerySet:
    """The plain twin of ``with_parts``: the same parts with
    ``prefetch_related``, a query each. ``attach`` completes either; the tests
    compare the two, so the JSON subqueries give what Django would."""
    return articles.prefetch_related(
        models.Prefetch("bylines", ArticleAuthor.objects.select_related("author")),
        "tags",
        "takeaways",
        models.Prefetch(
            "corrections", Correction.objects.public(), to_attr="public_corrections"
        ),
    )


def attach(article: Article) -> Article:
    """Turn the arrays of ``with_parts`` into what prefetching would give."""
    if not hasattr(article, "part_bylines"):  # with_parts_prefetched
        tag_ids = [tag.pk for tag in article.tags.all()]
        article.related_candidates = _related_candidates(article.pk, tag_ids)
        return article
    if hasattr(article, "public_corrections"):  # attached already
        return article
    cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
    bylines = []
    for row in _load(article.part_bylines):
        byline, author = _instances(PARTS["bylines"], row)
        ArticleAuthor.author.field.set_cached_value(byline, author)
        ArticleAuthor.article.field.set_cached_value(byline, article)
        bylines.append(byline)
    # The managers look the cache up on every call, so fill it before asking.
    cache["bylines"] = _prefetched(article.bylines, bylines)
    cache["tags"] = _prefetched(article.tags, _objects(article, "tags"))
    cache["takeaways"] = _prefetched(article.takeaways, _objects(article, "takeaways"))
    article.public_corrections = _objects(article, "corrections")
    if not hasattr(article, "part_related"):  # with_parts(related=False)
        return article
    candidates = _load(article.part_related)
    article.related_candidates = (
        {pk: pick for pk, pick in candidates if pick is not None},
        [pk for pk, pick in candidates if pick is None],
    )
    return article
