"""
Fragments of a published piece's public page, kept in the shared cache by
``caching.fragments``: what each shows and which tags make it stale (named by
``articles.cache``, like every tag). Never a preview's: previews render live.
What a fragment prints from the article's row (read first) is in its key.

The page reads its three fragments at once (``page_fragments``: one read of
the shared cache for all of them and their tags' generations):

- ``article``: the piece itself (its head's description, share cards and
  JSON-LD, and the body of the page down to its tags). Keyed by everything it
  prints (every column of ``PAGE_FIELDS``, the section's name and address,
  the parts as the page's query returned them, the site's name and address,
  the templates' source), so an edit, a correction, a renamed author or tag
  is a new key, as for the cards of lists; ``article_tag`` makes it stale
  too, for what a body's images become (``body_with_renditions``).
- ``related``: the related pieces and their ids, stale when any piece changes
  (that renews the front page) or a section does (the menu); keyed by the
  piece's tags and related candidates.
- ``comments``: the comment section, stale when its comments or the piece
  change; keyed by the count and ``allow_comments``, and stored with whether
  comments are still open (this moves with time) and the discussion's
  settings, which only the comments app knows (``comment_section_fragment``).
- ``header``: the site's header with the sections menu
  (``includes/site_header.html``, what ``base.html`` prints), stale when the
  menu changes (``NAV``); keyed by the site's name and the addresses it
  links. Rendered once per menu change, not on every page, and read with the
  others: the menu's own read of the shared cache is gone from the page.
"""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles.storage import STATICFILES_STORAGE_ALIAS
from django.core.files.storage import storages
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf

from caching import fragments

from .cache import NAV, article_tag, comments_tag, list_tag
from .selectors.pages import PAGE_FIELDS

# What the ``article`` fragment renders; their source is part of its key.
ARTICLE_PARTS = {
    "meta": "articles/article/meta.html",
    "og_tags": "articles/article/og_tags.html",
    "content": "articles/article/content.html",
}
ARTICLE_INCLUDES = (
    "includes/byline.html",
    "includes/picture.html",
    "articles/includes/corrections.html",
)
ARTICLE_TEMPLATES = (*ARTICLE_PARTS.values(), *ARTICLE_INCLUDES)
HEADER_TEMPLATE = "includes/site_header.html"
PRINTED_PARTS = ("part_bylines", "part_tags", "part_takeaways", "part_corrections")


def page_fragments(article) -> dict[str, fragments.Fragment]:
    """The public page's fragments of ``article`` (fetched by
    ``public_article_queryset``), looked up in one read."""
    pk = article.pk
    found = {
        "article": fragments.Fragment(
            "article", tags=(article_tag(pk),), vary=(pk, *printed(article))
        ),
        "related": fragments.Fragment(
            "related",
            tags=(article_tag(pk), list_tag("front"), NAV),
            vary=(pk, article.part_tags, article.part_related),
        ),
        "comments": fragments.Fragment(
            "comments",
            tags=(comments_tag(pk), article_tag(pk)),
            vary=(pk, article.comment_count, article.allow_comments),
        ),
        "header": fragments.Fragment("header", tags=(NAV,), vary=header_shows()),
    }
    fragments.read_many(*found.values())
    return found


def printed(article) -> tuple:
    """Everything the ``article`` fragment prints, as plain values."""
    section = article.section
    return (
        tuple(getattr(article, name) for name in PAGE_FIELDS),
        (section.name, section.slug),
        tuple(getattr(article, name) for name in PRINTED_PARTS),
        settings.NEWSROOM_SITE_NAME,
        settings.NEWSROOM_SITE_URL,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        _static_url(storages[STATICFILES_STORAGE_ALIAS], "css/editorial.css"),
        template_sources(*(get_template(name).template for name in ARTICLE_TEMPLATES)),
    )


def header_shows() -> tuple:
    """What the header prints besides the menu: the site's name, and its
    addresses (the URLconf and script prefix make them), from its template."""
    return (
        settings.NEWSROOM_SITE_NAME,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        template_sources(get_template(HEADER_TEMPLATE).template),
    )


@lru_cache(maxsize=16)
def _static_url(storage, path: str) -> str:
    """``static(path)`` (what the piece's templates print), once per storage:
    its address is fixed for the storage's life (a manifest is read when the
    storage is made; Django makes a new one when its settings change). It
    was asked on every render, about 30 µs."""
    return storage.url(path)


@lru_cache(maxsize=16)
def template_sources(*templates) -> str:
    """A digest of the compiled templates' source, once per compilation (the
    cached loader keeps them; without it, as under ``DEBUG``, each request
    compiles and digests them anew)."""
    text = "\0".join(template.source for template in templates)
    return hashlib.sha256(text.encode()).hexdigest()


def comment_section_fragment(
    fragment: fragments.Fragment, *, is_open: bool, settings: tuple, render
) -> str:
    """The comment section from ``fragment`` (``page_fragments``), if it was
    stored while comments were as open as now and under the same ``settings``."""
    return fragments.value(fragment, render=render, check=(is_open, settings))
