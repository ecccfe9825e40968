"""
Search over published articles.

On PostgreSQL: full-text search with a stored, weighted ``tsvector``
(headline A, dek B, body C) under a GIN index, ranked, with highlighted
snippets from ``ts_headline``. On SQLite: every word must appear in the
headline, dek or body; headline matches first, then the newest.

Both return the same shape, so the view and template do not care which.
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Article

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Unlikely in text; escaped text cannot contain them, so they mark highlights.
START, STOP = "\x02", "\x03"
SEARCH_CONFIG = getattr(settings, "NEWSROOM_SEARCH_CONFIG", "english")


@dataclass(frozen=True)
class SearchRequest:
    text: str
    terms: list[str]
    problem: str = ""


def parse_query(raw: str | None) -> SearchRequest:
    """Clean a reader's query; say politely what is wrong with it, if anything."""
    text = " ".join((raw or "").split())
    if not text:
        return SearchRequest("", [], "")
    if len(text) > MAX_QUERY_LENGTH:
        return SearchRequest(
            text[:MAX_QUERY_LENGTH],
            [],
            str(
                _(
                    "That search is too long. Try a few words "
                    "(at most %(n)d characters)."
                )
                % {"n": MAX_QUERY_LENGTH}
            ),
        )
    terms = [term for term in re.findall(r"\w+", text) if term][:MAX_TERMS]
    if not terms:
        return SearchRequest(
            text, [], str(_("Search for words or names, not only punctuation."))
        )
    return SearchRequest(text, terms)


def highlight(snippet: str) -> SafeString:
    """Escape a snippet and turn our highlight markers into <mark>.

    The snippet is text cut from sanitised HTML, so its entities are decoded
    first and everything is escaped once, here.
    """
    safe = escape(html.unescape(snippet))
    return mark_safe(safe.replace(START, "<mark>").replace(STOP, "</mark>"))


def _plain_body() -> Func:
    """The body's text without its tags, inside the database."""
    return Func(
        F("body"),
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def update_search_vectors(queryset: QuerySet) -> int:
    """Refresh the stored weighted vectors of these articles (PostgreSQL only).

    One UPDATE, so it serves a single save and a bulk import alike.
    """
    if connections[queryset.db].vendor != "postgresql":
        return 0
    from django.contrib.postgres.search import SearchVector

    vector = (
        SearchVector("headline", weight="A", config=SEARCH_CONFIG)
        + SearchVector("dek", weight="B", config=SEARCH_CONFIG)
        + SearchVector(_plain_body(), weight="C", config=SEARCH_CONFIG)
    )
    return queryset.update(search_vector=vector)


def search_articles(request: SearchRequest) -> QuerySet:
    base = Article.objects.published().with_bylines()
    if not request.terms:
        return base.none()
    if connection.vendor == "postgresql":
        return _postgres(base, request)
    return _fallback(base, request)


def _postgres(base: QuerySet, request: SearchRequest) -> QuerySet:
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
    )

    query = SearchQuery(request.text, search_type="websearch", config=SEARCH_CONFIG)
    return (
        base.filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            # Over the body's text, not its tags: a fragment cut inside markup
            # would otherwise reach the page.
            snippet=SearchHeadline(
                _plain_body(),
                query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-publish_at")
    )


def _fallback(base: QuerySet, request: SearchRequest) -> QuerySet:
    condition = Q()
    for term in request.terms:
        condition &= (
            Q(headline__icontains=term)
            | Q(dek__icontains=term)
            | Q(body__icontains=term)
        )
    in_headline = Q()
    for term in request.terms:
        in_headline &= Q(headline__icontains=term)
    return (
        base.filter(condition)
        .annotate(
            rank=Case(
                When(in_headline, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-rank", "-publish_at")
    )


def fallback_snippet(article: Article, terms: list[str], width: int = 200) -> str:
    """A snippet around the first match, with matches marked, for SQLite."""
    text = " ".join(html.unescape(strip_tags(article.body)).split())
    lowered = text.lower()
    positions = [lowered.find(term.lower()) for term in terms]
    found = [position for position in positions if position >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    snippet = text[start : start + width]
    if start > 0:
        snippet = "…" + snippet
    if start + width < len(text):
        snippet += "…"
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", snippet)
