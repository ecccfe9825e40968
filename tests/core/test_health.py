"""/healthz and /readyz: what a load balancer's probe gets, in good times and bad.

The bad times are real where the suite can make them so: a Redis that is not
there (a port where nothing listens), a migration row taken away inside the
test's transaction. A database that cannot be reached is stood in for by a
connection that fails as psycopg2 does, with the kind of detail (host,
user, password) that must never reach the answer.
"""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder

from bench.server import free_port
from core import health

PROBE_HOST = "10.0.0.5:8000"  # a balancer probing by the server's own address
SECRET_DETAIL = (
    'connection to server at "db.internal.example" (10.1.2.3), port 5432 failed: '
    'FATAL: password authentication failed for user "newsroom" password=hunter2'
)


@pytest.fixture
def production_host_rules(settings):
    """What production has: one site name, plain HTTP redirected to HTTPS."""
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def dead_redis(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "caching.backend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }


@pytest.fixture
def unreachable_database(db):
    """Put back before the test database is torn down, which needs it."""

    def refuse():
        raise OperationalError(SECRET_DETAIL)

    with mock.patch.object(connection, "ensure_connection", refuse):
        yield


def _never_stored(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert not response.has_header("X-Page-Cache")


def test_healthz_answers_ok_without_touching_the_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"ok\n"
    _never_stored(response)


def test_readyz_answers_ready_with_one_query_when_everything_is_there(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    _never_stored(response)


def test_a_probe_by_address_over_plain_http_is_answered_not_redirected_or_refused(
    client, db, production_host_rules
):
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST=PROBE_HOST)
        assert response.status_code == 200, (path, response)
    # The exemption is the two probes only: a page under that host is refused.
    assert client.get("/", HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get("/", HTTP_HOST="news.example.com").status_code == 301


def test_readyz_says_the_database_is_unreachable_and_nothing_more(
    client, db, unreachable_database, caplog
):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: database unreachable\n"
    assert response["Retry-After"] == "5"
    _never_stored(response)
    for secret in ("db.internal", "10.1.2.3", "5432", "hunter2", "newsroom"):
        assert secret not in response.content.decode()
    # The details go to the server's log, for the person on call.
    assert "db.internal.example" in caplog.text


def test_healthz_stays_ok_while_the_database_is_unreachable(
    client, db, unreachable_database
):
    assert client.get("/healthz").status_code == 200


def test_readyz_refuses_while_a_migration_is_not_applied(client, db):
    newest = MigrationRecorder.Migration.objects.filter(app="articles").latest("id")
    newest.delete()  # inside the test's transaction, rolled back after
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: migrations not applied\n"
    assert newest.name.encode() not in response.content


def test_readyz_refuses_while_the_shared_cache_is_unreachable_and_healthz_stays_ok(
    client, db, dead_redis
):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: cache unreachable\n"
    assert b"redis" not in response.content.lower()
    assert client.get("/healthz").status_code == 200


def test_readyz_answers_each_time_afresh_even_with_the_page_cache_on(
    client, db, settings, monkeypatch
):
    settings.NEWSROOM_PAGE_CACHE = True
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(health, "_cache_problem", lambda: "cache unreachable")
    assert client.get("/readyz").status_code == 503


def test_the_probes_refuse_other_methods(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
    assert client.head("/readyz").status_code == 200
