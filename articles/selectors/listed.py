"""
A page of a list (front, section, tag, author, the date archive) as plain
rows: the page's pieces, then their bylines, in two queries.

Building model instances for the pieces, their bylines and authors, and
Django's prefetching between them, was most of a list page's ORM cost (about
95 instances for a tag page). The page's query reads only what a card and the
front page's lead story print (``LISTED_FIELDS``) as values; the bylines come
in one statement whose text is made once per page size (``_bylines_sql``,
the article page's bylines part narrowed to what a byline prints, ordered as
``ArticleAuthor`` is). ``ListedPiece`` holds them, with the addresses the
models themselves make.

The front, section, tag and author pages' query is compiled once per process
and prepared once per PostgreSQL connection (``selectors.prepared``), with
its limit and offset as parameters: the same statement for every page of
every section, tag or author. Which pieces a page shows is still
``published()``, at the request's time. The date archive's pages run their
own queryset.

The bylines are a second query, not a JSON array in each row as on the
article page: the database computes a column for every row it walks past,
so the array cost PostgreSQL 60–86 ms on page 100 of a busy tag (the page
itself 20 ms).
"""

import functools
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from articles.models import Article, Author
from articles.selectors import lists, parts
from articles.selectors.prepared import CompiledQuery

# What a list prints of a piece (its card, and the front page's lead story):
# the body and the search vector stay in the database.
LISTED_FIELDS = (
    *lists.PIECE_FIELDS,
    *("dek", "lead_image_renditions", "lead_image_alt"),
)
# A byline: its piece, author id, slug, name and job title.
LISTED_BYLINES = replace(
    parts.PARTS["bylines"],
    name="listed_bylines",
    only=(
        *((0, "article_id"), (0, "author_id")),
        *((1, "slug"), (1, "name"), (1, "job_title")),
    ),
)
KINDS = ("front", "section", "tag", "author")


@dataclass(frozen=True)
class ListQuery:
    """Which list a page belongs to: ``kind`` (``KINDS``), the section's, tag's
    or author's id (``of``), and for a tag or author the plan of its query
    (``busy``, ``ArticleQuerySet.tagged``)."""

    kind: str
    of: int | None = None
    busy: bool = False


class ListedAuthor:
    """An author as a byline on a list prints it."""

    __slots__ = ("job_title", "name", "pk", "slug")
    get_absolute_url = Author.get_absolute_url

    def __init__(self, pk, slug, name, job_title):
        self.pk, self.slug, self.name, self.job_title = pk, slug, name, job_title


class Byline:
    __slots__ = ("author", "author_id")

    def __init__(self, author: ListedAuthor):
        self.author, self.author_id = author, author.pk


class Bylines(tuple):
    """A piece's bylines in order; ``all()`` as a prefetched manager has it,
    for the templates (``includes/byline.html``) and the cards."""

    def all(self):
        return self


class ListedPiece:
    """A piece as a list shows it: ``LISTED_FIELDS``, its bylines and (set
    by ``lists.with_sections``) its section."""

    __slots__ = (*LISTED_FIELDS, "bylines", "section")
    get_absolute_url = Article.get_absolute_url

    def __init__(self, row, bylines: Bylines):
        for name, value in zip(LISTED_FIELDS, row, strict=True):
            setattr(self, name, value)
        self.bylines = bylines

    @property
    def _prefetched_objects_cache(self) -> dict:
        """Where a list page's tags find the bylines of a model instance that
        brought them (``articles.cache.list_tags``)."""
        return {"bylines": self.bylines}


def listed(page, menu: list[dict], query: ListQuery | None = None) -> list:
    """The pieces of ``page`` (a slice of a list's queryset, from
    ``published()``) as ``ListedPiece``s with their bylines and sections
    (``lists.with_sections``, named as ``menu`` names them): the compiled
    query of ``query``'s list, or ``page``'s own, then the bylines."""
    start, stop = page.query.low_mark, page.query.high_mark
    if query is None or stop is None:
        rows = list(page.values_list(*LISTED_FIELDS))
    elif stop <= start:  # an empty page: Django asks nothing either
        rows = []
    else:
        compiled = _compiled(connection.vendor, query.kind, query.busy)
        found = {"of": query.of} if query.kind != "front" else {}
        rows = compiled.values(
            at=timezone.now(), limit=stop - start, offset=start, **found
        )
    bylines = bylines_of([row[0] for row in rows])
    pieces = [ListedPiece(row, Bylines(bylines.get(row[0], ()))) for row in rows]
    return lists.with_sections(pieces, menu)


def bylines_of(ids: list[int]) -> dict[int, list[Byline]]:
    """The bylines of the pieces ``ids``, in order, by piece (a piece without
    one is missing); one author object for each author on the page. Lists
    and feeds read them this way."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_bylines_sql(connection.vendor, len(ids)), ids)
        found = cursor.fetchall()
    by_piece: dict[int, list[Byline]] = {}
    authors: dict[int, ListedAuthor] = {}
    for article_id, author_id, *author in found:
        if author_id not in authors:
            authors[author_id] = ListedAuthor(author_id, *author)
        by_piece.setdefault(article_id, []).append(Byline(authors[author_id]))
    return by_piece


@functools.lru_cache(maxsize=64)
def _bylines_sql(vendor: str, count: int) -> str:
    """The bylines of ``count`` pieces, made once per kind of database
    (``vendor``) and number of pieces (at most a page's)."""
    part = LISTED_BYLINES
    marks = ", ".join(["%s"] * count)
    return (
        f"SELECT {', '.join(part.columns())} FROM {part.tables} "
        f"WHERE t0.article_id IN ({marks}) ORDER BY {part.order}"
    )


def list_queryset(query: ListQuery, *, at=None):
    """The pieces of ``query``'s list, newest first, from ``published()``."""
    articles = Article.objects.published(at=at)
    if query.kind == "section":
        return articles.filter(section_id=query.of)
    if query.kind == "tag":
        return articles.tagged(query.of, busy=query.busy)
    if query.kind == "author":
        return articles.by_author(query.of, busy=query.busy)
    if query.kind == "front":
        return articles
    raise ValueError(f"Unknown list {query.kind!r}; known: {', '.join(KINDS)}")


# The values the queries are compiled with, then replaced by each request's:
# never asked for (no id is negative).
_OF = -7_654_321
_AT = datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC)


@functools.lru_cache(maxsize=16)
def _compiled(vendor: str, kind: str, busy: bool) -> CompiledQuery:
    """The page query of every list of ``kind`` planned as ``busy``, compiled
    once per kind of database (``vendor``): at most eight statements."""
    field = Article._meta.get_field("publish_at")
    placeholders = {
        "at": (_AT, lambda value: field.get_db_prep_value(value, connection))
    }
    if kind != "front":
        placeholders["of"] = (_OF, int)

    def build(at, of=None):
        articles = list_queryset(ListQuery(kind, of, busy), at=at)
        return articles.values_list(*LISTED_FIELDS)

    return CompiledQuery(
        build,
        placeholders,
        prepare=f"newsroom_list_{kind}{'_busy' if busy else ''}",
        paged=True,
    )
