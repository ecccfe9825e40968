"""
What every ``/api/`` request passes before the page cache: the API key, the
rate limit and CORS. It sits outside ``caching.pages.PageCacheMiddleware`` so
that a cached answer is counted like any other, and so that the CORS headers,
which depend on the asker's ``Origin``, are added to each answer and never
stored in one shared by everybody.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from comments.readers import address_block, client_ip

from . import keys, throttle
from .errors import Problem, problem_response

KEY_HEADER = "HTTP_X_API_KEY"
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = "X-Api-Key, If-None-Match"
EXPOSED = (
    "Link, ETag, X-Total-Count, X-RateLimit-Limit, X-RateLimit-Remaining, Retry-After"
)


class ApiGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        # META, not request.headers: that one builds a dict of every header.
        origin = request.META.get("HTTP_ORIGIN")
        allowed_origin = origin if origin in settings.API_CORS_ORIGINS else None
        if request.method == "OPTIONS" and allowed_origin:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = CORS_METHODS
            response["Access-Control-Allow-Headers"] = CORS_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self._gated(request)
        if allowed_origin:
            response["Access-Control-Allow-Origin"] = allowed_origin
            response["Access-Control-Expose-Headers"] = EXPOSED
        if not settings.API_CORS_ORIGINS:
            # Every asker gets the same answer: a CDN keeps one copy, not
            # one per Origin header.
            return response
        if "Vary" in response:
            patch_vary_headers(response, ("Origin",))
        else:  # the usual case, without parsing a header that is not there
            response["Vary"] = "Origin"
        return response

    def _gated(self, request):
        raw = request.META.get(KEY_HEADER)
        if raw:
            grant = keys.find_key(raw)
            if grant is None:
                return problem_response(
                    Problem(401, "bad-key", "This API key is unknown or revoked.")
                )
            subject, per_minute = f"key:{grant.id}", grant.per_minute
        else:
            # An IPv6 host holds a whole /64: one caller, as for comments.
            ip = client_ip(request)
            subject = f"ip:{address_block(ip) if ip else 'unknown'}"
            per_minute = settings.API_RATE_PER_MINUTE
        verdict = throttle.hit(subject, per_minute)
        if not verdict.allowed:
            response = problem_response(
                Problem(
                    429,
                    "rate-limited",
                    f"At most {per_minute} requests a minute; "
                    f"try again in {verdict.retry_after} s, or use an API key.",
                )
            )
            response["Retry-After"] = str(verdict.retry_after)
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(verdict.limit)
        response["X-RateLimit-Remaining"] = str(verdict.remaining)
        return response
