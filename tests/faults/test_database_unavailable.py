"""A view that cannot reach the database answers 503 with Retry-After, a
plain page and no caching, and stores nothing; other errors stay 500s."""

import logging

import pytest
from django.db import InterfaceError, OperationalError
from django.urls import reverse

from comments import views
from comments.models import Comment
from tests.comments.conftest import comment_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LOGGER = "newsroom.middleware"


@pytest.fixture
def article(db):
    return ArticleFactory()


def database_gone(*args, **kwargs):
    raise OperationalError(
        "connection to server at 127.0.0.1, port 5432 failed: Connection refused\n"
        "\tIs the server running on that host and accepting TCP/IP connections?"
    )


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_is_a_503_with_retry_after(
    client, article, monkeypatch, caplog, error
):
    def gone(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "_article", gone)
    with caplog.at_level(logging.WARNING, logger="newsroom.middleware"):
        response = client.get(reverse("comments:reader-state", args=[article.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert "<h1>We are back in a moment</h1>" in response.content.decode()
    assert [r.getMessage() for r in caplog.records if r.name == LOGGER] == [
        f"database unavailable for GET /comments/{article.pk}/reader/: "
        "server closed the connection unexpectedly"
    ]


def test_a_post_that_meets_a_lost_database_stores_nothing(client, article, monkeypatch):
    monkeypatch.setattr(
        "comments.models.ModerationSettings.load", classmethod(database_gone)
    )

    response = client.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(),
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 503
    assert "go back and send it again" in response.content.decode()
    assert not Comment.objects.exists()


def test_other_errors_are_not_dressed_up_as_an_outage(client, article, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(views, "_article", broken)
    with pytest.raises(ZeroDivisionError):
        client.get(reverse("comments:reader-state", args=[article.pk]))
