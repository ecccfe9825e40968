"""
The project's own middleware; the MIDDLEWARE setting says where each one runs.

``ContentSecurityPolicyMiddleware``: security headers that depend on where a
request goes. The public site and the admin get different
Content-Security-Policies. The public pages carry no inline code at all, so
they get the strict policy in ``settings.CONTENT_SECURITY_POLICY``. The admin
hosts CKEditor 4, which needs inline scripts (its editing frame's bootstrap,
its toolbar's event handlers) and inline styles; the directives in
``settings.NEWSROOM_ADMIN_CSP`` replace the public ones there, and only under
the admin's address. Why each one is needed is written beside that setting.

Choosing by path in one middleware, rather than decorating views, covers every
admin view Django and third-party apps add (and CKEditor's upload and browse
views, which live under ``/admin/`` too) without touching each one, and keeps
a public view from ever getting the looser policy by accident.

``DatabaseUnavailableMiddleware``: 503 with ``Retry-After``, not 500, while
the database is away (its docstring says why).

``HealthCheckMiddleware``: the load balancer's probes (``/healthz``,
``/readyz``, core/health.py) answered before any other middleware.
"""

import logging
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


@cache
def admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin (some tests)
        return None


@cache
def probe_paths() -> frozenset[str]:
    """Where the URLconf puts the health probes (none in some test URLconfs)."""
    found = set()
    for name in ("healthz", "readyz"):
        try:
            found.add(reverse(name))
        except NoReverseMatch:
            pass
    return frozenset(found)


@receiver(setting_changed)
def _forget_admin_prefix(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        admin_prefix.cache_clear()
        probe_paths.cache_clear()


def is_admin_path(path: str) -> bool:
    prefix = admin_prefix()
    return prefix is not None and path.startswith(prefix)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy under the admin, and
    its directives in one fixed order.

    django-csp 4.0 walks the directives through a ``set``, whose order follows
    each process's string hashing: two workers sent the same policy in
    different orders, so the same page differed between them byte for byte
    (and a stored page by which worker rendered it). Sorted, the header is
    the same everywhere; the order of directives means nothing to a browser.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        for header in (HEADER, HEADER_REPORT_ONLY):
            policy = response.get(header)
            if policy:
                response[header] = "; ".join(sorted(policy.split("; ")))
        return response

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and is_admin_path(request.path_info)
        ):
            parts.replace = {
                **settings.NEWSROOM_ADMIN_CSP,
                **(parts.replace or {}),
            }
        return parts


class DatabaseUnavailableMiddleware:
    """
    "Try again in a few seconds" when the database cannot be reached.

    While PostgreSQL restarts or fails over, every query raises
    ``OperationalError`` (or ``InterfaceError`` on a connection it cut). Left
    alone, that is a 500 and a traceback per request: it reads as a bug, and a
    CDN or load balancer takes it as one. It is an outage of a service instead,
    so the answer is 503 Service Unavailable with ``Retry-After``, a short plain
    page that needs no database, and nothing a cache may keep. Django still
    closes the broken connection at the end of the request, and with
    CONN_HEALTH_CHECKS the next request connects afresh, so the site recovers by
    itself once the database is back (tests/faults/test_postgres_restart.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # django.request logs the 503 itself; this says why.
        logger.warning(
            "database unavailable for %s %s: %s",
            request.method,
            request.path,
            str(exception).strip().splitlines()[0] if str(exception) else "",
        )
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response


class HealthCheckMiddleware:
    """
    The load balancer's probes, answered ahead of every other middleware.

    A balancer probes each app server by its own address: the ``Host`` it
    sends is that address (or none at all), never the site's name, and the
    probe is plain HTTP with no ``X-Forwarded-Proto``. Below this point,
    SecurityMiddleware would answer it with a redirect to HTTPS and
    CommonMiddleware with 400 for a host outside ``ALLOWED_HOSTS``, and the
    balancer would mark every server down. Widening ``ALLOWED_HOSTS`` to the
    servers' addresses would let any page be served under them; instead the
    two probe paths (and only those) skip the rest of the stack. Their views
    read no part of the request but its method, so the unchecked host cannot
    reach anything, and they set their own no-store headers, since the page
    cache below never sees them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in probe_paths():
            match = resolve(request.path_info)
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
