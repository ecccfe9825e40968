"""
What list pages read that may come from the shared cache: a list's count and
the front page's section blocks.

Each is kept by ``caching.fragments.cached`` under a key made from the
generations of the tags (named by ``articles.cache``) whose purge makes it
stale, read before the database is asked: a
purge after that read moves the key on, so a value read from rows older than
a purge is stored where nobody looks again. A scheduled piece joins lists
without a purge, so nothing is kept past the next scheduled time. With the
cache down, or ``FRAGMENT_CACHE`` off, everything is read every time.
"""

from collections.abc import Callable
from itertools import groupby
from types import SimpleNamespace
from typing import TypeVar

from django.db.models import F
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone

from articles import cache as article_cache
from articles.models import Article
from caching import fragments, pages

T = TypeVar("T")
# What a headline link needs (its address: the publication date and slug).
PIECE_FIELDS = ("pk", "headline", "slug", "publish_at", "created_at", "section_id")


def list_count(list_name: str, *, bound: int, count: Callable[[], int]) -> int:
    """How many pieces (up to ``bound``) the list ``list_name`` holds."""
    return fragments.cached(
        "list-count", tags=(list_name,), vary=(bound,), render=count, lifetime=_lifetime
    )


def front_section_blocks(*, per_section: int, recent_window: int) -> list[tuple]:
    """The newest ``per_section`` pieces of each section among the newest
    ``recent_window`` published, as (section, pieces) in the menu's order;
    plain values with their addresses made, so the cached blocks cost no
    query and no URL reversal."""
    return fragments.cached(
        "front-blocks",
        tags=article_cache.front_blocks_tags(),
        vary=(
            per_section,
            recent_window,
            timezone.get_current_timezone_name(),
            get_urlconf(),
            get_script_prefix(),
        ),
        render=lambda: _section_blocks(per_section=per_section, window=recent_window),
        lifetime=_lifetime,
    )


def _section_blocks(*, per_section: int, window: int) -> list[tuple]:
    # The window keeps the page's cost the same with ten pieces or 100,000.
    recent = (
        Article.objects.published().order_by("-publish_at", "-pk").values("pk")[:window]
    )
    rows = (
        Article.objects.published()
        .filter(pk__in=recent)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("section_id"),
                order_by=[F("publish_at").desc(), F("pk").desc()],
            )
        )
        .filter(place__lte=per_section)
        .order_by("section__position", "section__name", "place")
        .select_related("section")
        .only(*PIECE_FIELDS, "section__name", "section__slug")
    )
    return [
        (
            SimpleNamespace(
                pk=section.pk,
                name=section.name,
                slug=section.slug,
                get_absolute_url=section.get_absolute_url(),
            ),
            [
                SimpleNamespace(
                    pk=row.pk,
                    section_id=row.section_id,
                    headline=row.headline,
                    get_absolute_url=row.get_absolute_url(),
                )
                for row in pieces
            ],
        )
        for section, pieces in groupby(rows, key=lambda row: row.section)
    ]


def _lifetime() -> int:
    """A page's life, or less if a scheduled piece joins lists sooner."""
    until = article_cache.next_scheduled()
    if until is None:
        return pages.page_ttl()
    return min(pages.page_ttl(), int((until - timezone.now()).total_seconds()))
