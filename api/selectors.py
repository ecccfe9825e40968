"""
Reads for the API, each a fixed number of queries whatever the number of
tags, authors, corrections or comments: a list of pieces is one query (the
parts come in each row, ``articles.selectors.parts``), plus one to find the
section, tag or author it is filtered by, plus one for tombstones.
Everything starts from ``Article.objects.published()``.
"""

from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleAuthor,
    ArticlePath,
    Author,
    Section,
    TaggedArticle,
)
from articles.selectors import parts
from comments.models import Comment

from .errors import Problem

# ordering parameter -> (model field, descending)
ORDERINGS = {
    "-published_at": ("publish_at", True),
    "published_at": ("publish_at", False),
    "-modified_at": ("modified_at", True),
    "modified_at": ("modified_at", False),
}


def with_parts(articles, fields=None):
    """``articles`` with their section and parts in the row; without the
    columns no field of ``fields`` prints (the body of a list's summaries,
    and the search index always)."""
    unused = ["search_vector"]
    if fields is not None and "body" not in fields:
        unused.append("body")
    return parts.with_parts(
        articles.select_related("section").defer(*unused), related=False
    )


def attached(articles) -> list[Article]:
    return [parts.attach(article) for article in articles]


def named(queryset, slug: str, parameter: str):
    """The one of ``queryset`` with ``slug``; a name readers cannot see
    (a tag only drafts carry) is refused exactly like one that does not exist."""
    found = queryset.filter(slug=slug).first()
    if found is None:
        raise Problem(
            400,
            "bad-filter",
            f"No {parameter} has the slug {slug!r}.",
            parameter=parameter,
        )
    return found


def after(articles, ordering: str, position):
    """Keyset pagination: the pieces after ``position`` ([value, id]) in
    ``ordering``. New pieces never shift a page already handed out."""
    field, descending = ORDERINGS[ordering]
    value, pk = position
    beyond = "lt" if descending else "gt"
    return articles.filter(
        Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"pk__{beyond}": pk})
    )


def ordered(articles, ordering: str):
    field, descending = ORDERINGS[ordering]
    sign = "-" if descending else ""
    return articles.order_by(f"{sign}{field}", f"{sign}pk")


def tombstones(since) -> list[dict]:
    """Pieces once published that readers can no longer see, changed since
    ``since`` (withdrawn, unpublished, moved back to a later time): mirrors
    remove them. A piece first due in the future was never seen: not here."""
    gone = (
        Article.objects.filter(
            first_published_at__lte=timezone.now(), modified_at__gte=since
        )
        .exclude(pk__in=Article.objects.published().values("pk"))
        .order_by("modified_at", "pk")
        .values_list("pk", "slug", "modified_at")
    )
    return [{"id": pk, "slug": slug, "removed_at": when} for pk, slug, when in gone]


def moved(slug: str) -> Article | None:
    """The piece that had ``slug`` before (an old address ending in it), if
    readers can see it or it was withdrawn; the newest such address wins.
    Only asked after the current slug found nothing, and the answer is
    cached, so the unindexed suffix match costs once per slug."""
    visible = Q(article__in=Article.objects.published()) | Q(
        article__status=Article.Status.WITHDRAWN
    )
    old = (
        ArticlePath.objects.filter(visible, path__endswith=f"/{slug}/")
        .select_related("article")
        .order_by("-created_at", "-pk")
        .first()
    )
    return old.article if old is not None else None


def sections():
    return Section.objects.order_by("position", "name")


def public_authors():
    """Authors with a byline on a published piece: a name that appears on no
    published piece is not ours to print."""
    published = Article.objects.published().values("pk")
    return Author.objects.filter(
        pk__in=ArticleAuthor.objects.filter(article__in=published).values("author_id")
    ).order_by("pk")


def public_tags():
    """Tags on published pieces only: a tag used only by a draft could tell
    what is being written."""
    published = Article.objects.published().values("pk")
    return Tag.objects.filter(
        pk__in=TaggedArticle.objects.filter(content_object__in=published).values(
            "tag_id"
        )
    ).order_by("pk")


def public_comments(article_id: int):
    return (
        Comment.objects.public()
        .filter(article_id=article_id)
        .only("pk", "parent_id", "author_name", "body", "created_at")
        .order_by("created_at", "pk")
    )
