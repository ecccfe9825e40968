"""
The article page's data, for the public view and the editors' preview alike.
"""

import functools
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from articles import metadata
from articles.images import body_with_renditions
from articles.models import Article
from articles.toc import MIN_HEADINGS, add_heading_anchors

from . import parts
from .prepared import CompiledQuery

RELATED_COUNT = 4
# The columns of the article's row that its public page prints or needs (to
# decide its address, its comment section and what its fragments are keyed
# by); the rest (the search vector, the upload's path, who edited it) stays in
# the database. A page that read another column would cost a query more,
# which the page's query budget catches.
PAGE_FIELDS = (
    "headline",
    "slug",
    "dek",
    "body",
    "lead_image_renditions",
    "lead_image_caption",
    "lead_image_credit",
    "lead_image_alt",
    "video_url",
    "video_title",
    "section",
    "status",
    "publish_at",
    "updated_at",
    "allow_comments",
    "comment_count",
    "reading_time",
)


def article_page_queryset(articles: QuerySet[Article]) -> QuerySet[Article]:
    """What the article page shows of ``articles``, in the article's own row:
    section, bylines, tags, takeaways, corrections and related candidates
    (articles.selectors.parts); the comment count is a column."""
    return parts.with_parts(articles.select_related("section"))


def public_article_queryset() -> QuerySet[Article]:
    """The public page's one query: a published piece with its parts, and of
    its row only ``PAGE_FIELDS``. The parts stay JSON text until a fragment
    the page needs is not in the shared cache (``parts.attach``)."""
    return _page_rows(connection.vendor).published()


def public_article(slug: str) -> Article | None:
    """The published piece at ``slug`` as ``public_article_queryset`` gives
    it (the tests compare the two), or None: the same query, compiled once
    per process and prepared once per PostgreSQL connection
    (``selectors.prepared``; it was planned anew for every page)."""
    found = _page_query(connection.vendor).rows(slug=slug, at=timezone.now())
    return found[0] if found else None


# The values the page's query is compiled with, then replaced by each
# request's: never asked for (a slug holds no NUL character).
_SLUG = "\x00slug"
_AT = datetime(2000, 1, 1, 0, 0, 0, 1, tzinfo=UTC)


@functools.cache
def _page_query(vendor: str) -> CompiledQuery:
    slug = Article._meta.get_field("slug")
    at = Article._meta.get_field("publish_at")
    return CompiledQuery(
        # .order_by(): one row at most (the slug is unique), as get() asks.
        lambda slug, at: (
            _page_rows(vendor).published(at=at).filter(slug=slug).order_by()
        ),
        {
            "slug": (_SLUG, lambda value: slug.get_db_prep_value(value, connection)),
            "at": (_AT, lambda value: at.get_db_prep_value(value, connection)),
        },
        prepare="newsroom_article_page",
    )


@functools.cache
def _page_rows(vendor: str) -> QuerySet[Article]:
    """Everything of the page's query but ``published()``, whose time is the
    request's own: built once (a queryset is copied, never changed, by
    ``published()`` and every filter after it, and this one is never
    evaluated). Building it cost about 0.2 ms a request."""
    return article_page_queryset(Article.objects.all()).only(*PAGE_FIELDS)


def article_page_context(article: Article) -> dict[str, Any]:
    """The article page's context beyond the article itself, for an article
    fetched through ``article_page_queryset``.

    Related articles come from ``published()`` whatever ``article`` is, so a
    preview never names another unpublished piece.
    """
    parts.attach(article)
    body, headings = add_heading_anchors(article.body)
    body = body_with_renditions(body)
    corrections = article.public_corrections
    return {
        "article": article,
        "body": body,
        "toc": headings if len(headings) >= MIN_HEADINGS else [],
        "related": related_articles(article),
        "lead_image": metadata.largest_image(article.lead_image_renditions),
        "canonical_url": metadata.absolute_url(article.get_absolute_url()),
        "corrections": corrections,
        "date_modified": metadata.date_modified(article, corrections),
        "jsonld": [
            metadata.article_jsonld(article, corrections=corrections),
            metadata.breadcrumbs_jsonld(article),
        ],
    }


def related_articles(article: Article) -> QuerySet[Article]:
    """The related pieces under ``article`` (with its parts attached), from
    ``published()``; not fetched until read."""
    return Article.objects.published().related_to(
        article,
        tag_ids=[tag.pk for tag in article.tags.all()],
        limit=RELATED_COUNT,
        candidates=article.related_candidates,
    )
