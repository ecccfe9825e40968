"""
The article page's data, for the public view and the editors' preview alike.
"""

from typing import Any

from django.db.models import QuerySet

from articles import metadata
from articles.images import body_with_renditions
from articles.models import Article
from articles.toc import MIN_HEADINGS, add_heading_anchors

from . import parts

RELATED_COUNT = 4


def article_page_queryset(articles: QuerySet[Article]) -> QuerySet[Article]:
    """What the article page shows of ``articles``, in the article's own row:
    section, bylines, tags, takeaways, corrections and related candidates
    (articles.selectors.parts); the comment count is a column."""
    return parts.with_parts(articles.select_related("section"))


def article_page_context(article: Article) -> dict[str, Any]:
    """The article page's context beyond the article itself, for an article
    fetched through ``article_page_queryset``.

    Related articles come from ``published()`` whatever ``article`` is, so a
    preview never names another unpublished piece.
    """
    parts.attach(article)
    body, headings = add_heading_anchors(article.body)
    body = body_with_renditions(body)
    tag_ids = [tag.pk for tag in article.tags.all()]
    corrections = article.public_corrections
    return {
        "article": article,
        "body": body,
        "toc": headings if len(headings) >= MIN_HEADINGS else [],
        "related": Article.objects.published().related_to(
            article,
            tag_ids=tag_ids,
            limit=RELATED_COUNT,
            candidates=article.related_candidates,
        ),
        "lead_image": metadata.largest_image(article.lead_image_renditions),
        "canonical_url": metadata.absolute_url(article.get_absolute_url()),
        "corrections": corrections,
        "date_modified": metadata.date_modified(article, corrections),
        "jsonld": [
            metadata.article_jsonld(article, corrections=corrections),
            metadata.breadcrumbs_jsonld(article),
        ],
    }
