"""
Machine-readable descriptions of pages: JSON-LD (schema.org) and image URLs.

Built from structured fields only, never from the body's HTML. Every URL is
absolute on the canonical origin (``settings.NEWSROOM_SITE_URL``), so a copy
served by a cache or a CDN names the same address whoever asked first.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from .models import Article, Author, Correction

FALLBACK_FORMATS = ("jpeg", "png")


def absolute_url(path: str) -> str:
    """``path`` on the canonical origin; an address that is already absolute
    (media in a bucket or behind a CDN) is returned as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.NEWSROOM_SITE_URL + path


def renditions_by_format(renditions: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for rendition in sorted(renditions, key=lambda r: r["width"]):
        grouped.setdefault(rendition["format"], []).append(
            {**rendition, "url": default_storage.url(rendition["name"])}
        )
    return grouped


def largest_image(renditions: list[dict]) -> dict | None:
    """The widest JPEG/PNG rendition: what share cards and JSON-LD point at,
    with its ``absolute_url`` for them."""
    grouped = renditions_by_format(renditions)
    for image_format in FALLBACK_FORMATS:
        if grouped.get(image_format):
            image = grouped[image_format][-1]
            return {**image, "absolute_url": absolute_url(image["url"])}
    return None


def _iso(value) -> str:
    return timezone.localtime(value).isoformat()


def person(author: Author) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }
    if author.job_title:
        data["jobTitle"] = author.job_title
    return data


def author_jsonld(author: Author) -> dict[str, Any]:
    data = {"@context": "https://schema.org", **person(author)}
    if author.bio:
        data["description"] = author.bio
    photo = largest_image(author.photo_renditions)
    if photo:
        data["image"] = photo["absolute_url"]
    return data


def publisher() -> dict[str, Any]:
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute_url("/"),
    }


def date_modified(
    article: Article,
    corrections: Iterable[Correction] = (),
    *,
    corrected_at: datetime | None = None,
) -> datetime | None:
    """When the piece last changed for readers: the latest of its publication,
    its last edit after publication and its newest public correction (from
    ``corrections``, or ``corrected_at`` when a query worked that out)."""
    dates = [article.publish_at, article.updated_at, corrected_at]
    dates += [c.published_at for c in corrections if c.removed_at is None]
    return max((date for date in dates if date is not None), default=None)


def article_jsonld(
    article: Article, corrections: Iterable[Correction] | None = None
) -> dict[str, Any]:
    """``corrections``: the article's public corrections, which move
    ``dateModified``; the page passes the list it shows."""
    canonical = absolute_url(article.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "datePublished": _iso(article.publish_at),
        "dateModified": _iso(date_modified(article, corrections or ())),
        "author": [person(author) for author in article.byline_authors],
        "publisher": publisher(),
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "articleSection": article.section.name,
    }
    if article.dek:
        data["description"] = article.dek
    image = largest_image(article.lead_image_renditions)
    if image:
        data["image"] = [image["absolute_url"]]
    tags = [tag.name for tag in article.tags.all()]
    if tags:
        data["keywords"] = tags
    return data


def breadcrumbs_jsonld(article: Article) -> dict[str, Any]:
    trail = [
        (settings.NEWSROOM_SITE_NAME, reverse("articles:front-page")),
        (article.section.name, article.section.get_absolute_url()),
        (article.headline, article.get_absolute_url()),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(url),
            }
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }
