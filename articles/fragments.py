"""
Fragments of a published piece's public page, kept in the shared cache by
``caching.fragments``: what each shows and which tags make it stale (named by
``articles.cache``, like every tag). Never a preview's: previews render live.
What a fragment prints from the article's row (read first) is in its key.
"""

from caching import fragments

from .cache import NAV, article_tag, comments_tag, list_tag


def comment_section_fragment(article, *, is_open: bool, settings: tuple, render):
    """The comment section, stale when its comments or the piece change; keyed
    by the count, comments on and open (moves with time), ``settings``."""
    vary = (article.pk, article.comment_count, article.allow_comments, is_open)
    return fragments.cached(
        "comments",
        tags=(comments_tag(article.pk), article_tag(article.pk)),
        vary=(*vary, settings),
        render=render,
    )


def related_fragment(article, *, render):
    """The related pieces and their ids, stale when any piece changes (that
    renews the front page) or a section does (the menu); keyed by candidates."""
    tag_ids = tuple(tag.pk for tag in article.tags.all())
    picks, sharing = article.related_candidates
    vary = (article.pk, tag_ids, sorted(picks.items()), tuple(sharing))
    return fragments.cached(
        "related",
        tags=(article_tag(article.pk), list_tag("front"), NAV),
        vary=vary,
        render=render,
    )
