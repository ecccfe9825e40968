"""What every endpoint shares: the JSON answer, paging links, the router."""

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.utils.http import urlencode
from ninja import Router

from articles.metadata import absolute_url

router = Router()


def respond(data, *, status: int = 200) -> JsonResponse:
    """``data`` as compact JSON (no space after ``,`` and ``:``: 6 % of a
    list of 20), UTF-8 as written."""
    return JsonResponse(
        data,
        status=status,
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def _with_cursor(request, cursor: str | None) -> str:
    """The same address and query, with ``cursor`` in place of the caller's
    (none: the first page)."""
    query = [(k, v) for k, v in request.GET.lists() if k != "cursor"]
    if cursor is not None:
        query.append(("cursor", [cursor]))
    encoded = urlencode(query, doseq=True)
    return absolute_url(f"{request.path}?{encoded}" if encoded else request.path)


def next_link(request, cursor: str | None) -> str | None:
    """The next page's absolute address: the same query with a new cursor."""
    return None if cursor is None else _with_cursor(request, cursor)


def paged(
    request, data: dict, cursor: str | None, *, total: int | None = None
) -> JsonResponse:
    """``data`` with ``next``; a ``Link`` header with the ``first`` page and,
    if there is one, the ``next``; ``X-Total-Count`` when ``total`` is known
    (only where it is cheap: docs/api.md, Pagination)."""
    link = next_link(request, cursor)
    response = respond({**data, "next": link})
    links = [f'<{_with_cursor(request, None)}>; rel="first"']
    if link:
        links.append(f'<{link}>; rel="next"')
    response["Link"] = ", ".join(links)
    if total is not None:
        response["X-Total-Count"] = str(total)
    return response
