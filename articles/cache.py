"""
What each public page shows, and what each change makes stale.

The page cache itself is ``newsroom.pagecache``; this module knows the
newsroom's things: an article page shows its article, section, authors, tags,
related pieces and comments; a list shows the pieces on it and whatever joins
or leaves it. Every page shows the sections menu.
"""

from functools import wraps

from django.db import transaction

from newsroom.pagecache import add_tags, forget_schedule, lists_published, purge

LISTS = ("list:front", "list:feeds", "list:sitemaps", "list:archive")


def article_page(request, article, related=()) -> None:
    add_tags(
        request,
        "nav",
        f"article:{article.pk}",
        f"comments:{article.pk}",
        f"section:{article.section_id}",
        *(f"author:{byline.author_id}" for byline in article.bylines.all()),
        *(f"tag:{tag.pk}" for tag in article.tags.all()),
        *(f"article:{item.pk}" for item in related),
    )
    lists_published(request)


def list_page(request, name: str, articles=(), *extra: str) -> None:
    tags = {"nav", f"list:{name}", *extra}
    for article in articles:
        tags.add(f"article:{article.pk}")
        tags.add(f"section:{article.section_id}")
        prefetched = getattr(article, "_prefetched_objects_cache", {})
        for byline in prefetched.get("bylines", ()):
            tags.add(f"author:{byline.author_id}")
    add_tags(request, *tags)
    lists_published(request)


def tagged(view, *tags: str):
    """Wrap a feed or sitemap view: it lists published pieces under ``tags``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        add_tags(request, *tags)
        lists_published(request)
        return view(request, *args, **kwargs)

    return wrapper


def purge_article(article, *, old_section_id=None) -> None:
    """After commit: the article's page and every list it is or was on."""
    article_id, section_id = article.pk, article.section_id

    def bump():
        from .models import ArticleAuthor, TaggedArticle

        tags = TaggedArticle.objects.filter(content_object_id=article_id).values_list(
            "tag_id", flat=True
        )
        authors = ArticleAuthor.objects.filter(article_id=article_id).values_list(
            "author_id", flat=True
        )
        purge(
            f"article:{article_id}",
            f"list:section:{section_id}",
            f"list:section:{old_section_id}" if old_section_id else "",
            *(f"list:tag:{tag}" for tag in tags),
            *(f"list:author:{author}" for author in authors),
            "list:corrections",
            *LISTS,
        )

    transaction.on_commit(bump)
    forget_schedule()
