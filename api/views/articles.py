"""Pieces: the list with its filters, one piece, its comments, and search."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from articles import cache as page_tags
from articles.metadata import absolute_url
from articles.models import Article, Section
from articles.search import parse_query, search_articles

from .. import params, representation, selectors
from ..errors import Problem
from ..schemas import ArticleOut, ArticlePage, CommentPage
from ..schemas import Problem as ProblemOut
from .common import paged, respond, router

LIST_PARAMS = {
    "section",
    "tag",
    "author",
    "published_after",
    "published_before",
    "modified_since",
    "ordering",
    "fields",
    "cursor",
    "page_size",
}
ERRORS = {400: ProblemOut, 429: ProblemOut}


@router.get(
    "/articles/",
    response={200: ArticlePage, **ERRORS},
    url_name="articles",
    summary="Published pieces, newest first",
)
def article_list(
    request,
    section: str | None = None,
    tag: str | None = None,
    author: str | None = None,
    published_after: str | None = None,
    published_before: str | None = None,
    modified_since: str | None = None,
    ordering: str = "-published_at",
    fields: str | None = None,
    cursor: str | None = None,
    page_size: str | None = None,
):
    """Filter by section, tag or author (slugs) and by dates; ``fields=`` picks
    fields; follow ``next`` (or the ``Link`` header) for the next page.
    With ``modified_since``, ``withdrawn`` lists pieces readers can no longer
    see that changed since then."""
    query = request.GET
    params.refuse_unknown(query, LIST_PARAMS)
    size = params.page_size(query)
    order = params.choice(query, "ordering", selectors.ORDERINGS, "-published_at")
    chosen = (
        params.fields(query, representation.ARTICLE_FIELDS)
        or representation.ARTICLE_SUMMARY_FIELDS
    )
    position = params.read_cursor(query, order)
    after = params.moment(query, "published_after")
    before = params.moment(query, "published_before")
    since = params.moment(query, "modified_since")

    articles = Article.objects.published()
    ids = {}
    if "section" in query:
        ids["section"] = selectors.named(
            Section.objects, query["section"], "section"
        ).pk
        articles = articles.filter(section_id=ids["section"])
    if "tag" in query:
        found = selectors.named(selectors.public_tags(), query["tag"], "tag")
        ids["tag"] = found.pk
        articles = articles.tagged(found)
    if "author" in query:
        found = selectors.named(selectors.public_authors(), query["author"], "author")
        ids["author"] = found.pk
        articles = articles.by_author(found)
    if after:
        articles = articles.filter(publish_at__gt=after)
    if before:
        articles = articles.filter(publish_at__lt=before)
    if since:
        articles = articles.filter(modified_at__gte=since)
    # Counting is cheap only when a section, tag or author narrows the list
    # (an index on each); the whole archive is counted never.
    total = articles.count() if ids else None
    if position is not None:
        articles = selectors.after(articles, order, position)
    page = selectors.attached(
        selectors.with_parts(selectors.ordered(articles, order), chosen)[: size + 1]
    )
    more, page = len(page) > size, page[:size]
    page_tags.mark_api_articles(request, page, **ids)
    next_cursor = None
    if more:
        field = selectors.ORDERINGS[order][0]
        last = page[-1]
        next_cursor = params.make_cursor(
            order, [getattr(last, field).isoformat(), last.pk]
        )
    data = {"results": [representation.article(item, chosen) for item in page]}
    if since:
        data["withdrawn"] = selectors.tombstones(since)
    if total is None and position is None and not more:
        total = len(page)  # all of it on the first page: known for free
    return paged(request, data, next_cursor, total=total)


def _gone(request, article):
    page_tags.mark_gone(request, article)
    raise Problem(410, "gone", "This piece was withdrawn and is no longer published.")


def _moved(request, slug: str):
    """An old slug: 301 to the piece's API address (the query kept), 410 if
    it was withdrawn, 404 if there is none."""
    params.refuse_unknown(request.GET, {"fields"})
    article = selectors.moved(slug)
    if article is None:
        raise Problem(404, "not-found", "No published piece has this id or slug.")
    if article.status == Article.Status.WITHDRAWN:
        _gone(request, article)
    page_tags.mark_redirect(request, article)
    target = reverse("api:article-by-slug", kwargs={"slug": article.slug})
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(
        absolute_url(f"{target}?{query}" if query else target)
    )


def _one(request, **lookup):
    """One piece; 410 if withdrawn, 404 if readers may not see it."""
    found = selectors.with_parts(Article.objects.filter(**lookup)).first()
    if found is None and "slug" in lookup:
        return _moved(request, lookup["slug"])
    if found is None or not (
        found.is_published() or found.status == Article.Status.WITHDRAWN
    ):
        raise Problem(404, "not-found", "No published piece has this id or slug.")
    if found.status == Article.Status.WITHDRAWN:
        _gone(request, found)
    params.refuse_unknown(request.GET, {"fields"})
    chosen = (
        params.fields(request.GET, representation.ARTICLE_FIELDS)
        or representation.ARTICLE_FIELDS
    )
    selectors.attached([found])
    page_tags.mark_api_article(request, found)
    return respond(representation.article(found, chosen))


ONE = {200: ArticleOut, 404: ProblemOut, 410: ProblemOut, **ERRORS}


@router.get("/articles/{int:article_id}/", response=ONE, url_name="article")
def article_detail(request, article_id: int, fields: str | None = None):
    """One published piece by id."""
    return _one(request, pk=article_id)


@router.get("/articles/by-slug/{slug:slug}/", response=ONE, url_name="article-by-slug")
def article_by_slug(request, slug: str, fields: str | None = None):
    """One published piece by its slug; a slug it had before answers 301 to
    the current address."""
    return _one(request, slug=slug)


@router.get(
    "/articles/{int:article_id}/comments/",
    response={200: CommentPage, 404: ProblemOut, 410: ProblemOut, **ERRORS},
    url_name="article-comments",
)
def article_comments(
    request, article_id: int, cursor: str | None = None, page_size: str | None = None
):
    """Approved comments, oldest first; ``parent`` is the id replied to."""
    params.refuse_unknown(request.GET, {"cursor", "page_size"})
    size = params.page_size(request.GET)
    position = params.read_cursor(request.GET, "comments")
    article = get_object_or_404(
        Article.objects.only("status", "publish_at", "comment_count"), pk=article_id
    )
    if article.status == Article.Status.WITHDRAWN:
        _gone(request, article)
    if not article.is_published():
        raise Problem(404, "not-found", "No published piece has this id.")
    comments = selectors.public_comments(article_id)
    if position is not None:
        comments = comments.filter(pk__gt=position)
    found = list(comments.order_by("pk")[: size + 1])
    more, found = len(found) > size, found[:size]
    page_tags.mark_api_comments(request, article_id)
    cursor_out = params.make_cursor("comments", found[-1].pk) if more else None
    # The piece keeps its count of public comments exact: no query for it.
    return paged(
        request,
        {"results": [representation.comment(c) for c in found]},
        cursor_out,
        total=article.comment_count,
    )


@router.get("/search/", response={200: ArticlePage, **ERRORS}, url_name="search")
def search(request, q: str = "", page_size: str | None = None):
    """Published pieces matching ``q``, best first (not cached, as the search page)."""
    params.refuse_unknown(request.GET, {"q", "page_size"})
    size = params.page_size(request.GET)
    wanted = parse_query(q)
    if wanted.problem or not wanted.terms:
        raise Problem(
            400,
            "bad-filter",
            wanted.problem or "q must name something to search for.",
            parameter="q",
        )
    ids = list(search_articles(wanted).values_list("pk", flat=True)[:size])
    summary = representation.ARTICLE_SUMMARY_FIELDS
    found = {
        a.pk: a
        for a in selectors.attached(
            selectors.with_parts(
                Article.objects.published().filter(pk__in=ids), summary
            )
        )
    }
    results = [representation.article(found[pk], summary) for pk in ids if pk in found]
    return respond({"results": results, "next": None})
