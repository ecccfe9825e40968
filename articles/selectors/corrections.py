"""
Corrections readers see. Editors add and remove them through
``articles.services.corrections``; a removed one stays, with who removed it,
when and why. Readers see the public ones on the article page, on
``/corrections/`` and in the corrections feed, always for pieces
``Article.objects.published()`` lets them see.
"""

from django.db.models import QuerySet

from articles.models import Article, Correction


def public_corrections() -> QuerySet[Correction]:
    """Corrections readers see: not removed, on pieces readers may see;
    newest first, with their article."""
    return (
        Correction.objects.public()
        .filter(article__in=Article.objects.published())
        .select_related("article")
        .defer("article__body", "article__search_vector")
        .order_by("-published_at", "-pk")
    )
