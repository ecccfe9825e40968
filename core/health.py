"""
What a load balancer, an orchestrator or a person on call asks a running app
server: ``/healthz`` (is this process alive?) and ``/readyz`` (may it be sent
readers now?).

Two questions, because their answers lead to different actions. A process
that stops answering ``/healthz`` is stuck and should be restarted; that
check touches nothing outside the process, so a database outage never gets
every app server restarted at once. A process that answers ``/readyz`` with
503 is fine but cannot do its work (the database or the shared cache is
away, or the code is newer than the schema during a deployment), so the
balancer stops sending it readers until it answers 200 again.

Both are plain text, never cached anywhere, and say only which dependency
is missing: no host name, port, user, error message or traceback reaches the
answer, since anyone who can reach the balancer can ask. The reason with its
details goes to the server's log instead.

They are answered by ``newsroom.middleware.HealthCheckMiddleware`` before
any other middleware, so a probe that sends the server's own address as
``Host`` (which is not in ``ALLOWED_HOSTS``) or plain HTTP (which
``SECURE_SSL_REDIRECT`` would send to HTTPS) still gets the real answer;
docs/deploy.md, "Several app servers", says what the balancer sends.
"""

import logging
import os
from functools import cache
from itertools import count

from django.core.cache import caches
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
)
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# Each probe writes its own value, so a stale value left by another server or
# an earlier probe cannot pass for a working cache.
_probe_numbers = count()


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(f"{text}\n", status=status, content_type="text/plain")
    response["X-Content-Type-Options"] = "nosniff"
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process runs Python and answers. No database, no cache."""
    return _plain("ok")


@cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """The newest migration of each app, as the code on disk has them.

    Read once per process: the files change only with a deployment, which
    starts new processes. ``migrate`` applies a migration's dependencies
    first (and records a squashed migration once what it replaces is
    applied), so when these are applied, every migration is.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.leaf_nodes())


def _database_problem() -> str | None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        applied = set(
            MigrationRecorder(connection).migration_qs.values_list("app", "name")
        )
    except (OperationalError, InterfaceError) as error:
        logger.warning("readyz: database unreachable: %s", _first_line(error))
        return "database unreachable"
    except DatabaseError as error:  # no django_migrations table: never migrated
        logger.warning("readyz: migrations table unreadable: %s", _first_line(error))
        return "migrations not applied"
    pending = expected_migrations() - applied
    if pending:
        logger.warning(
            "readyz: migrations not applied: %s",
            ", ".join(f"{app}.{name}" for app, name in sorted(pending)),
        )
        return "migrations not applied"
    return None


def _cache_problem() -> str | None:
    """Write a value and read it back.

    The Redis backend answers like an empty cache while Redis is away
    (caching.backend), so a read alone would look healthy: only a value that
    comes back proves the cache is there.
    """
    shared = caches["default"]
    key = "readyz-probe"
    value = f"{os.getpid()}:{next(_probe_numbers)}"
    try:
        shared.set(key, value, timeout=30)
        if shared.get(key) == value:
            return None
    except Exception as error:  # any backend, any client library's error
        logger.warning("readyz: cache unreachable: %s", _first_line(error))
        return "cache unreachable"
    logger.warning("readyz: cache unreachable: a value written was not read back")
    return "cache unreachable"


@never_cache
@require_http_methods(["GET", "HEAD"])
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready: the database answers with every migration applied, and the
    shared cache keeps what it is given. 503 with the first reason otherwise."""
    problem = _database_problem() or _cache_problem()
    if problem:
        return _plain(f"not ready: {problem}", status=503)
    return _plain("ready")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{error.__class__.__name__}: {text.splitlines()[0] if text else ''}"
