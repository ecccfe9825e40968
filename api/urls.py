"""
``/api/v1/`` (django-ninja) and the browsable docs at ``/api/docs/``.

Every GET endpoint but search is a ``public_page`` keyed on all its query
parameters (``query=ANY``): the endpoints refuse unknown parameters with a
400, which is never stored, so only valid requests fill the cache.
"""

from django.http import Http404
from django.urls import path
from django.views.decorators.cache import never_cache
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.views import openapi_view

from caching.pages import ANY, public_page

from .errors import Problem, problem_response
from .views import articles, names  # noqa: F401  (they register on the router)
from .views.common import router

LIVE = {"search", "openapi-view"}

api = NinjaAPI(
    title="Newsroom content API",
    version="1",
    description="Read-only JSON of everything published. See docs/api.md.",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url=None,
)
api.add_router("/", router)


@api.exception_handler(Problem)
def _problem(request, problem):
    return problem_response(problem)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(
        Problem(404, "not-found", "No published piece has this id.")
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    """What ninja refuses before our own checks (a path value of the wrong kind)."""
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
    return problem_response(
        Problem(
            400, "bad-filter", first.get("msg", "Invalid request."), parameter=where
        )
    )


def _cached(patterns):
    for pattern in patterns:
        if pattern.name not in LIVE:
            pattern.callback = public_page(pattern.callback, query=ANY)
    return patterns


# Not unpacked into module names: an ``app_name`` here would namespace the
# include in newsroom.urls.
_patterns, *_names = api.urls
urlpatterns = [
    path("v1/", (_cached(_patterns), *_names)),
    path(
        "docs/",
        never_cache(lambda request: openapi_view(request, api)),
        name="api-docs",
    ),
]
