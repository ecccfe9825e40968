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

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
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
