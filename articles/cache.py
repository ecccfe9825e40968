"""
What each public page shows, and what each change makes stale: the one place.

The page cache (``caching.pages``) stores whole pages under tags and makes
stale every page carrying a tag that a change bumps. It knows nothing of the
newsroom. This module does, and nothing else may:

- **Names.** Every tag is made here, by the functions under "Names"; no other
  module spells one (``tests/test_architecture.py`` reads every module for
  them). A page carries ``article_tag`` for each piece it shows,
  ``comments_tag`` for a comment section, ``section_tag`` / ``author_tag`` /
  ``tag_tag`` for each name it prints, ``list_tag(...)`` for each list it is,
  and ``NAV`` for the sections menu on every page.
- **What a page shows.** Views, feeds and sitemaps call the ``mark_*``
  functions (or wrap themselves in ``list_view``) while they render.
- **What a change purges.** Services, model saves and signal receivers call the
  ``*_changed`` functions; each decides every page the change makes stale and
  bumps their tags after the transaction commits.

Two small caches that lists depend on live here too: the sections menu and the
time of the next scheduled piece (a list may not outlive it).
"""

from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from caching import pages, purges

# Names --------------------------------------------------------------------------

NAV = "nav"  # the sections menu, on every page
LIST_NAMES = ("front", "feeds", "sitemaps", "archive", "corrections", "api")
# A change to any published piece renews these lists ("api": the content API's
# unfiltered lists, its tags and authors, and its tombstones).
EVERY_LIST = ("front", "feeds", "sitemaps", "archive", "api")


def article_tag(article_id: int) -> str:
    return f"article:{article_id}"


def comments_tag(article_id: int) -> str:
    """The comment section (and count) of one article."""
    return f"comments:{article_id}"


def section_tag(section_id: int) -> str:
    return f"section:{section_id}"


def author_tag(author_id: int) -> str:
    return f"author:{author_id}"


def tag_tag(tag_id: int) -> str:
    """A taggit tag's name, wherever it is printed."""
    return f"tag:{tag_id}"


def list_tag(
    name: str | None = None,
    *,
    section: int | None = None,
    tag: int | None = None,
    author: int | None = None,
) -> str:
    """One list of pieces: a named one (``LIST_NAMES``) or one section's,
    tag's or author's (by id)."""
    given = [
        (kind, value)
        for kind, value in (("section", section), ("tag", tag), ("author", author))
        if value is not None
    ]
    if name is not None and not given:
        if name not in LIST_NAMES:
            raise ValueError(f"Unknown list {name!r}; known: {', '.join(LIST_NAMES)}")
        return f"list:{name}"
    if name is None and len(given) == 1:
        kind, value = given[0]
        return f"list:{kind}:{int(value)}"
    raise ValueError("Name one list: a name, or one section, tag or author.")


def article_tags(article, related_ids=()) -> set[str]:
    """Everything an article page shows: the piece, its comment section, its
    section, bylines and tags (names printed on it), the related pieces (by
    id) and the menu. Uses the article's prefetched bylines and tags."""
    return {
        NAV,
        article_tag(article.pk),
        comments_tag(article.pk),
        section_tag(article.section_id),
        *(author_tag(byline.author_id) for byline in article.bylines.all()),
        *(tag_tag(tag.pk) for tag in article.tags.all()),
        *(article_tag(pk) for pk in related_ids),
    }


def list_tags(list_name: str, articles=(), *extra: str) -> set[str]:
    """Everything a list page shows: itself, the menu, and for each piece on it
    the piece, its section and its bylines (when prefetched)."""
    tags = {NAV, list_name, *extra}
    for article in articles:
        tags.add(article_tag(article.pk))
        tags.add(section_tag(article.section_id))
        prefetched = getattr(article, "_prefetched_objects_cache", {})
        for byline in prefetched.get("bylines", ()):
            tags.add(author_tag(byline.author_id))
    return tags


# What a page shows ------------------------------------------------------------------


def mark_article_page(request, article, related_ids=()) -> None:
    pages.add_tags(request, *article_tags(article, related_ids))
    _lists_published(request)


def mark_redirect(request, article) -> None:
    """A redirect to ``article`` (an old address, a wrong date): stale when the
    piece moves."""
    pages.add_tags(request, article_tag(article.pk))


def mark_gone(request, article) -> None:
    """The 410 notice of a withdrawn piece: stale if it is restored."""
    pages.add_tags(request, NAV, article_tag(article.pk))


def mark_list_page(request, list_name: str, articles=(), *extra: str) -> None:
    """A list of published pieces (``list_name`` from ``list_tag``); ``extra``
    names what else it prints (the section, tag or author it is about)."""
    pages.add_tags(request, *list_tags(list_name, articles, *extra))
    _lists_published(request)


def list_view(view, *list_names: str, menu: bool = True):
    """Wrap a feed, sitemap or list view of published pieces: it is stale when
    any of ``list_names`` (from ``LIST_NAMES``) changes."""
    tags = [list_tag(name) for name in list_names]
    if menu:
        tags.append(NAV)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        pages.add_tags(request, *tags)
        _lists_published(request)
        return view(request, *args, **kwargs)

    return wrapper


def mark_api_articles(
    request,
    articles,
    *,
    section: int | None = None,
    tag: int | None = None,
    author: int | None = None,
) -> None:
    """A content-API list of pieces (``api.views``), fetched with their parts.

    Filtered by a section, tag or author, it is that list (the first given:
    every piece it can hold is on that list too); otherwise the API's own.
    Each piece adds what its entry prints, comment count included.
    """
    if section is not None:
        name = list_tag(section=section)
    elif tag is not None:
        name = list_tag(tag=tag)
    elif author is not None:
        name = list_tag(author=author)
    else:
        name = list_tag("api")
    pages.add_tags(request, name)
    for article in articles:
        pages.add_tags(request, *(article_tags(article) - {NAV}))
    _lists_published(request)


def mark_api_article(request, article) -> None:
    """One piece in the content API, with its parts and comment count."""
    pages.add_tags(request, *(article_tags(article) - {NAV}))


def mark_api_comments(request, article_id: int) -> None:
    """The approved comments of one piece in the content API."""
    pages.add_tags(request, article_tag(article_id), comments_tag(article_id))


def mark_api_names(request, kind: str, ids=()) -> None:
    """The content API's list of sections, authors or tags (``kind``): the
    menu's sections, or the authors and tags of published pieces."""
    if kind == "sections":
        pages.add_tags(request, NAV, *(section_tag(pk) for pk in ids))
        return
    name_tag = {"authors": author_tag, "tags": tag_tag}[kind]
    pages.add_tags(request, list_tag("api"), *(name_tag(pk) for pk in ids))


def _lists_published(request) -> None:
    """This page lists published pieces: it lives until the next one is due."""
    if pages.collecting(request):
        pages.limit_lifetime(request, next_scheduled())


# What a change purges -------------------------------------------------------------


def article_changed(
    article,
    *,
    old_section_id: int | None = None,
    old_tag_ids=(),
    old_author_ids=(),
) -> None:
    """After commit: the article's page and every list it is or was on.

    ``old_*`` name what the piece carried before this change (a list it left
    is stale too); the current tags and bylines are read after the commit.
    """
    from .models import ArticleAuthor, TaggedArticle

    article_id, section_id = article.pk, article.section_id
    old_tag_ids, old_author_ids = set(old_tag_ids), set(old_author_ids)

    def bump():
        tags = old_tag_ids | set(
            TaggedArticle.objects.filter(content_object_id=article_id).values_list(
                "tag_id", flat=True
            )
        )
        authors = old_author_ids | set(
            ArticleAuthor.objects.filter(article_id=article_id).values_list(
                "author_id", flat=True
            )
        )
        purges.purge_now(
            article_tag(article_id),
            list_tag(section=section_id),
            *((list_tag(section=old_section_id),) if old_section_id else ()),
            *(list_tag(tag=tag) for tag in tags),
            *(list_tag(author=author) for author in authors),
            list_tag("corrections"),
            *(list_tag(name) for name in EVERY_LIST),
        )

    transaction.on_commit(bump)
    forget_schedule()


def articles_changed(
    article_ids,
    *,
    section_ids=(),
    old_tag_ids=(),
    old_author_ids=(),
) -> None:
    """After commit, once for many pieces (``articles.services.article_batch``):
    their pages, and every list any of them is or was on, in one purge."""
    from .models import ArticleAuthor, TaggedArticle

    article_ids, section_ids = set(article_ids), set(section_ids)
    old_tag_ids, old_author_ids = set(old_tag_ids), set(old_author_ids)

    def bump():
        tags = old_tag_ids | set(
            TaggedArticle.objects.filter(content_object_id__in=article_ids)
            .values_list("tag_id", flat=True)
            .distinct()
        )
        authors = old_author_ids | set(
            ArticleAuthor.objects.filter(article_id__in=article_ids)
            .values_list("author_id", flat=True)
            .distinct()
        )
        purges.purge_now(
            *(article_tag(article_id) for article_id in article_ids),
            *(list_tag(section=section) for section in section_ids),
            *(list_tag(tag=tag) for tag in tags),
            *(list_tag(author=author) for author in authors),
            list_tag("corrections"),
            *(list_tag(name) for name in EVERY_LIST),
        )

    transaction.on_commit(bump)
    forget_schedule()


def comments_changed(*article_ids: int) -> None:
    """After commit: the comment sections (and counts) of these articles,
    where something left view or changed (a comment rejected, hidden by
    reports, edited, deleted, erased): a hard purge, so no reader is answered
    with the previous copy while the page renders again."""
    purges.purge(*(comments_tag(article_id) for article_id in set(article_ids)))


def comments_added(*article_ids: int) -> None:
    """After commit: new public comments under these articles (approved, or
    posted and approved at once, or imported), and nothing else changed.

    The previous copy of each page only lacks them, so this purge is soft:
    while one request renders the page again, other readers may get that
    copy (``caching.coalesce``). Every other purge here is hard: after a
    withdrawal, an unpublication, a correction or a comment taken out of
    view, nobody may be shown the old page, not even for a moment.
    """
    purges.purge(
        *(comments_tag(article_id) for article_id in set(article_ids)), soft=True
    )


def section_changed(section) -> None:
    """A section renamed, moved or removed: the menu on every page, and the
    pages that print its name (its cached copy forgotten first)."""
    transaction.on_commit(lambda: _quietly(cache.delete, NAV_KEY))
    purges.purge(NAV, section_tag(section.pk))


def author_changed(author) -> None:
    """An author renamed or retitled: every page with their byline."""
    purges.purge(author_tag(author.pk), list_tag(author=author.pk), list_tag("feeds"))


def tag_changed(tag) -> None:
    """A tag renamed: every page that prints it."""
    purges.purge(tag_tag(tag.pk), list_tag(tag=tag.pk), list_tag("feeds"))


def front_blocks_tags() -> tuple[str, str]:
    """What the front page's section blocks (``articles.selectors.lists``)
    show: the newest pieces (any change to one renews the front page) under
    their sections' names (the menu)."""
    return list_tag("front"), NAV


# The caches lists depend on -------------------------------------------------------

NAV_KEY = "nav-sections:v2"  # v2: with each section's pk
NEXT_SCHEDULED_KEY = "page:v1:next-scheduled"


def nav_sections() -> list[dict]:
    """The sections menu (and list cards' sections), shared; see section_changed."""
    from .models import Section

    def load():
        return [
            {
                "pk": s.pk,
                "name": s.name,
                "slug": s.slug,
                "get_absolute_url": s.get_absolute_url(),
            }
            for s in Section.objects.only("name", "slug")
        ]

    try:
        return cache.get_or_set(NAV_KEY, load, timeout=None)
    except Exception:  # the menu never takes a page down with the cache
        return load()


def next_scheduled():
    """When the next scheduled piece goes out; read from the database only when
    the cached answer is missing. Scheduling anything forgets the answer."""
    from .models import Article

    try:
        value = cache.get(NEXT_SCHEDULED_KEY)
    except Exception:
        return None
    if value is not None:
        return value or None
    when = (
        Article.objects.scheduled()
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    timeout = pages.page_ttl()
    if when is not None:
        timeout = max(1, int((when - timezone.now()).total_seconds()))
    _quietly(cache.set, NEXT_SCHEDULED_KEY, when or "", timeout)
    return when


def forget_schedule() -> None:
    transaction.on_commit(lambda: _quietly(cache.delete, NEXT_SCHEDULED_KEY))


def _quietly(function, *args):
    try:
        function(*args)
    except Exception:
        pages.logger.warning("cache call failed", exc_info=True)
