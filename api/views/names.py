"""The names printed around pieces: sections, authors (public byline data
only) and tags, each only as far as published pieces use them."""

from articles import cache as page_tags

from .. import params, representation, selectors
from ..schemas import AuthorPage, Problem, SectionList, TagPage
from .common import paged, respond, router

ERRORS = {400: Problem, 429: Problem}


@router.get("/sections/", response={200: SectionList, **ERRORS}, url_name="sections")
def section_list(request):
    """Every section, in the menu's order."""
    params.refuse_unknown(request.GET, set())
    found = list(selectors.sections())
    page_tags.mark_api_names(request, "sections", [s.pk for s in found])
    response = respond({"results": [representation.section(s) for s in found]})
    response["X-Total-Count"] = str(len(found))
    return response


def _by_id(request, kind: str, queryset, shape):
    """A page of names in id order, so new ones only ever come last, with
    how many there are in all."""
    params.refuse_unknown(request.GET, {"cursor", "page_size"})
    size = params.page_size(request.GET)
    position = params.read_cursor(request.GET, kind)
    # A few hundred names at most, counted through the same small index.
    total = queryset.count()
    if position is not None:
        queryset = queryset.filter(pk__gt=position)
    found = list(queryset[: size + 1])
    more, found = len(found) > size, found[:size]
    page_tags.mark_api_names(request, kind, [item.pk for item in found])
    cursor = params.make_cursor(kind, found[-1].pk) if more else None
    results = [shape(item) for item in found]
    return paged(request, {"results": results}, cursor, total=total)


@router.get("/authors/", response={200: AuthorPage, **ERRORS}, url_name="authors")
def author_list(request, cursor: str | None = None, page_size: str | None = None):
    """Authors with a byline on a published piece: name, job title, bio, photo."""
    return _by_id(request, "authors", selectors.public_authors(), representation.author)


@router.get("/tags/", response={200: TagPage, **ERRORS}, url_name="tags")
def tag_list(request, cursor: str | None = None, page_size: str | None = None):
    """Tags on published pieces."""
    return _by_id(request, "tags", selectors.public_tags(), representation.tag)
