"""
Corrections, clarifications and updates: public, dated, never deleted.

Editors (``articles.publish_article``) add and remove them through the two
services in ``articles.services.corrections``, from the admin's inline, its
own page and anywhere else. A
removed correction stays in the database with who removed it, when and why,
and the admin's log says so too. Readers see the public ones on the article
page, on ``/corrections/`` and in the corrections feed, always for pieces
``Article.objects.published()`` lets them see.
"""

from django.db.models import QuerySet
from django.views.generic import ListView

from .models import Article, Correction
from .services.corrections import (  # noqa: F401 (seed_demo imports them here)
    correction_add,
    correction_check,
    correction_remove,
)
from .views import PublishedArticlesMixin
from .workflow import CORRECT_PERMISSION, may_correct  # noqa: F401


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


class CorrectionListView(PublishedArticlesMixin, ListView):
    """``/corrections/``: every public correction, newest first, 20 a page."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"

    def get_queryset(self):
        return public_corrections()
