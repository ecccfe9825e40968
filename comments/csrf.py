"""
CSRF protection for forms that live in cached pages.

The article page is the same HTML for every reader so a CDN can cache it
whole; it cannot carry a per-reader CSRF token. The comment and report
endpoints therefore accept a post when either

1. Django's own token check passes (the page's script fills the token in
   from the reader's uncached endpoint; the confirm and reply pages carry
   one), or
2. the browser itself vouches that the form was on our own site: the
   ``Sec-Fetch-Site: same-origin`` fetch-metadata header, or, from browsers
   too old to send it, an ``Origin`` header naming this site. Page scripts
   cannot set either header, and a cross-site form gets ``cross-site`` and
   the other site's origin.

Anything else (no token, no header: a very old browser, or a forged post)
stores nothing: the reader is shown their text again on an uncached page,
with a token, to confirm. Nothing typed is lost and nothing unvouched for is
saved.
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware


def _own_origins(request: HttpRequest) -> set[str]:
    scheme = "https" if request.is_secure() else "http"
    origins = {f"{scheme}://{request.get_host()}"}
    origins.update(
        origin for origin in settings.CSRF_TRUSTED_ORIGINS if "*" not in origin
    )
    return origins


def browser_vouches_same_origin(request: HttpRequest) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin in _own_origins(request)


def token_verified(request: HttpRequest) -> bool:
    """Django's own check (token against cookie, and Origin/Referer rules)."""
    sent = request.POST.get("csrfmiddlewaretoken") or request.headers.get(
        settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    )
    # The test client turns the check off; honour that like the middleware does.
    if not sent and not getattr(request, "_dont_enforce_csrf_checks", False):
        return False
    middleware = CsrfViewMiddleware(lambda _request: None)
    return middleware.process_view(request, None, (), {}) is None


def post_verified(request: HttpRequest) -> bool:
    """Whether a post to a comments endpoint may change anything."""
    cross_site = request.headers.get("Sec-Fetch-Site") in {"cross-site", "same-site"}
    if cross_site:
        return False
    # The headers first: reading them costs nothing, and every current
    # browser sends them, so Django's token check runs only for the others.
    return browser_vouches_same_origin(request) or token_verified(request)
