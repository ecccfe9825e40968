"""
The fields an article's row derives from its other fields, filled by
``Article.save()`` and by the services' bulk path (``bulk_create`` does not
call ``save()``), so both store the same row.
"""

import math

from django.utils import timezone
from django.utils.html import strip_tags

from articles.sanitize import sanitize_body

WORDS_PER_MINUTE = 230


def fill_own_fields(article) -> None:
    """Sanitised body, reading time, slug, and the publication times."""
    now = timezone.now()
    article.body = sanitize_body(article.body)
    words = len(strip_tags(article.body).split())
    article.reading_time = max(1, math.ceil(words / WORDS_PER_MINUTE))
    if not article.slug:
        article.slug = article._unique_slug()
    was_live = (
        article.first_published_at is not None and article.first_published_at <= now
    )
    if article.status == article.Status.PUBLISHED:
        if article.publish_at is None:
            article.publish_at = now
        if not was_live:
            # Set once, when the piece first goes out; a scheduled piece
            # moved before its time has not been published yet.
            article.first_published_at = article.publish_at
        elif article.pk is not None:
            article.updated_at = now
