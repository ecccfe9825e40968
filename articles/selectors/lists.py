"""
What list pages read that may come from the shared cache: a list's count, the
plan of a tag's or author's query, the sections their cards print and the
front page's section blocks.

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
from typing import NamedTuple, TypeVar

from django.core.cache import cache
from django.db.models import F
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone

from articles import cache as article_cache
from articles.fragments import template_sources
from articles.models import Article, Section
from caching import fragments, pages

T = TypeVar("T")
PLAN_PREFIX = "list-plan:v1:"
# A plan is only how the database is asked (the rows are the same either
# way), so it is kept without purges, for a while.
PLAN_SECONDS = 3600
# What a headline link needs (its address: the publication date and slug).
PIECE_FIELDS = ("pk", "headline", "slug", "publish_at", "created_at", "section_id")
BLOCKS_TEMPLATE = "articles/includes/section_blocks.html"


def list_count(list_name: str, *, bound: int, count: Callable[[], int]) -> int:
    """How many pieces (up to ``bound``) the list ``list_name`` holds."""
    return fragments.cached(
        "list-count", tags=(list_name,), vary=(bound,), render=count, lifetime=_lifetime
    )


def busy(list_name: str, *, ask: Callable[[], bool]) -> bool:
    """Whether the tag or author of the list ``list_name`` is busy, which
    picks the plan of its query (``ArticleQuerySet.tagged``); ``ask()`` asks
    the database. A stale answer costs speed, never a wrong row."""
    if not fragments.enabled():
        return ask()
    key = PLAN_PREFIX + list_name
    try:
        found = cache.get(key)
    except Exception:  # the plan never takes a page down with the cache
        return ask()
    if found is not None:
        return found
    answer = ask()
    try:
        cache.set(key, answer, PLAN_SECONDS)
    except Exception:
        pages.logger.warning("list plan not stored", exc_info=True)
    return answer


def with_sections(articles, menu: list[dict]) -> list:
    """``articles`` (a page of a list) with their sections, named as the
    sections menu ``menu`` (``articles.cache.nav_sections``, from the shared
    cache, forgotten when a section changes) names them: no query, unless a
    section is missing from it."""
    articles = list(articles)
    known = {
        item["pk"]: Section(pk=item["pk"], name=item["name"], slug=item["slug"])
        for item in menu
        if "pk" in item
    }
    missing = {a.section_id for a in articles} - known.keys()
    if missing:
        known.update(Section.objects.only("name", "slug").in_bulk(missing))
    for article in articles:
        article.section = known[article.section_id]
    return articles


class FrontBlocks(NamedTuple):
    """The front page's section blocks: (section, pieces) in the menu's
    order, and their HTML (``BLOCKS_TEMPLATE``)."""

    blocks: list[tuple]
    html: str


def front_section_blocks(*, per_section: int, recent_window: int) -> FrontBlocks:
    """The newest ``per_section`` pieces of each section among the newest
    ``recent_window`` published, and their HTML: plain values with their
    addresses made, rendered with them, so the cached blocks cost no query, no
    URL reversal and no template."""
    return fragments.cached(
        "front-blocks-html",
        tags=article_cache.front_blocks_tags(),
        vary=(
            per_section,
            recent_window,
            timezone.get_current_timezone_name(),
            get_urlconf(),
            get_script_prefix(),
            template_sources(get_template(BLOCKS_TEMPLATE).template),
        ),
        render=lambda: _rendered(
            _section_blocks(per_section=per_section, window=recent_window)
        ),
        lifetime=_lifetime,
    )


def _rendered(blocks: list[tuple]) -> FrontBlocks:
    html = render_to_string(BLOCKS_TEMPLATE, {"section_blocks": blocks})
    return FrontBlocks(blocks, str(html))


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
