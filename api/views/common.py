"""What every endpoint shares: the JSON answer, paging links, the router."""

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.utils.http import urlencode
from ninja import Router

from articles.metadata import absolute_url

router = Router()


def respond(data, *, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False},
    )


def next_link(request, cursor: str | None) -> str | None:
    """The next page's absolute address: the same query with a new cursor."""
    if cursor is None:
        return None
    query = [(k, v) for k, v in request.GET.lists() if k != "cursor"]
    query.append(("cursor", [cursor]))
    return absolute_url(f"{request.path}?{urlencode(query, doseq=True)}")


def paged(request, data: dict, cursor: str | None) -> JsonResponse:
    """``data`` with ``next``, and the ``Link`` header that says the same."""
    link = next_link(request, cursor)
    response = respond({**data, "next": link})
    if link:
        response["Link"] = f'<{link}>; rel="next"'
    return response
