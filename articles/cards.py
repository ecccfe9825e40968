"""
The cards of a list page (``includes/article_card.html``), each rendered once
for what it shows and kept in the shared cache.

A card's cache key is a digest of everything its template may print: the
piece's headline, dek, address and time, its section's name, its bylines, a
search snippet, and the page's language, time zone, URL prefix and the card
templates' own source. The template is given only those facts, never the
article, so it cannot print something the key does not cover. Nothing is
invalidated: a corrected headline, a renamed section or author, a new job
title or a moved publication time is a different key, so the next list that
shows the piece renders its new card; old cards age out
(``CARD_SECONDS``). Which pieces a list shows is still the list's own query
through ``published()``, so a withdrawn or scheduled piece is never on it.
Cards hold nothing of the reader (no token, no name), so they can be shared.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation
from django.utils.safestring import SafeData, mark_safe

from articles.fragments import template_sources
from articles.models import Article, Author, Section
from caching.pages import logger

CARD_TEMPLATE = "includes/article_card.html"
# Included by the card; its source is part of every key too.
CARD_PARTS = (CARD_TEMPLATE, "includes/byline.html")
# Long enough that a busy list finds its cards, short enough that the cards
# of a piece edited since leave the cache by themselves.
CARD_SECONDS = 24 * 3600
CARD_PREFIX = "card:v1:"


def render_cards(articles, *, show_section: bool = False) -> list[str]:
    """The HTML of each article's card, in order; from the shared cache when
    the same card was rendered before (``articles`` come with their section
    and bylines prefetched, as ``with_bylines`` gives them)."""
    articles = list(articles)
    if not articles:
        return []
    setting = _setting()
    facts = [_facts(article, show_section) for article in articles]
    keys = [card_key(setting, fact) for fact in facts]
    try:
        found = cache.get_many(keys)
    except Exception:  # the cards never take a page down with the cache
        logger.warning("card cache unavailable", exc_info=True)
        found = {}
    template = get_template(CARD_TEMPLATE)
    cards, new = [], {}
    for key, fact in zip(keys, facts, strict=True):
        html = found.get(key)
        if html is None:
            html = template.render(_context(fact, show_section))
            new[key] = html
        cards.append(mark_safe(html))
    if new:
        try:
            cache.set_many(new, CARD_SECONDS)
        except Exception:
            logger.warning("card cache store failed", exc_info=True)
    return cards


def card_key(*facts) -> str:
    """A card's key in the shared cache: a digest of all it prints."""
    return CARD_PREFIX + hashlib.sha256(repr(facts).encode()).hexdigest()


def _setting() -> tuple:
    """What every card of this page depends on besides its piece: the card
    templates' source, the language, the time zone and how addresses are
    made."""
    return (
        template_sources(*(get_template(name).template for name in CARD_PARTS)),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )


def _facts(article, show_section: bool) -> tuple:
    """Everything one card prints, as plain values (the key, and all the
    template is given)."""
    section = article.section if show_section else None
    highlighted = getattr(article, "highlighted", None) or ""
    return (
        article.headline,
        article.dek,
        article.slug,
        article.publish_at,
        (section.slug, section.name) if section is not None else None,
        tuple(
            (byline.author.slug, byline.author.name, byline.author.job_title)
            for byline in article.bylines.all()
        ),
        (str(highlighted), isinstance(highlighted, SafeData)),
    )


def _context(facts: tuple, show_section: bool) -> dict:
    """The card template's context, made from ``facts`` alone; addresses
    come from the models' own ``get_absolute_url``."""
    headline, dek, slug, publish_at, section, bylines, highlighted = facts
    text, safe = highlighted
    article = {
        "headline": headline,
        "dek": dek,
        "publish_at": publish_at,
        "highlighted": mark_safe(text) if safe else text,
        "get_absolute_url": Article(
            slug=slug, publish_at=publish_at
        ).get_absolute_url(),
        "bylines": {
            "all": [
                {
                    "author": {
                        "name": name,
                        "job_title": job_title,
                        "get_absolute_url": Author(slug=author_slug).get_absolute_url(),
                    }
                }
                for author_slug, name, job_title in bylines
            ]
        },
    }
    if section is not None:
        section_slug, section_name = section
        article["section"] = {
            "name": section_name,
            "get_absolute_url": Section(slug=section_slug).get_absolute_url(),
        }
    return {"article": article, "show_section": show_section}
