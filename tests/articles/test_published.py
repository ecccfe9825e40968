"""``Article.objects.published()`` is the one rule for what readers see."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("status", "offset", "visible"),
    [
        (Article.Status.DRAFT, timedelta(hours=-1), False),
        (Article.Status.REVIEW, timedelta(hours=-1), False),
        (Article.Status.WITHDRAWN, timedelta(hours=-1), False),
        (Article.Status.PUBLISHED, timedelta(hours=-1), True),
        (Article.Status.PUBLISHED, timedelta(0), True),  # exactly now
        (Article.Status.PUBLISHED, timedelta(microseconds=1), False),
        (Article.Status.PUBLISHED, timedelta(days=2), False),  # scheduled
    ],
)
def test_published_boundaries(frozen, status, offset, visible):
    article = ArticleFactory(status=status, publish_at=NOW + offset)

    assert (article in Article.objects.published()) is visible
    assert article.is_published() is visible


def test_draft_without_publish_time_is_not_published(frozen):
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)

    assert not Article.objects.published().exists()
    assert not article.is_published()


def test_scheduled_piece_appears_when_its_time_comes_without_a_worker():
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(publish_at=NOW + timedelta(minutes=30))
        assert article.is_scheduled
        assert not Article.objects.published().exists()

    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert list(Article.objects.published()) == [article]
        assert not Article.objects.get(pk=article.pk).is_scheduled


def test_publishing_without_a_time_publishes_now(frozen):
    article = ArticleFactory(publish_at=None)

    assert article.publish_at == NOW
    assert article.first_published_at == NOW
    assert article.updated_at is None


def test_first_published_is_set_once_and_updated_moves_on_later_edits():
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(publish_at=None)
    later = NOW + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        article.dek = "A corrected standfirst."
        article.save()

    article.refresh_from_db()
    assert article.first_published_at == NOW
    assert article.updated_at == later


def test_edits_before_publication_do_not_show_as_updated(frozen):
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    article.body = "<p>Rewritten.</p>"
    article.save()
    article.status = Article.Status.PUBLISHED
    article.save()

    assert article.first_published_at == NOW
    assert article.updated_at is None


def test_rescheduling_before_the_time_moves_first_published(frozen):
    article = ArticleFactory(publish_at=NOW + timedelta(days=1))
    article.publish_at = NOW + timedelta(days=2)
    article.save()

    assert article.first_published_at == NOW + timedelta(days=2)


def test_the_article_page_of_a_scheduled_piece_opens_when_its_time_comes(client):
    """The page's query is built once but asks ``published()`` for each
    request: its time is the request's own."""
    with time_machine.travel(NOW, tick=False):
        ArticleFactory(slug="already-out")
        article = ArticleFactory(publish_at=NOW + timedelta(minutes=30))
        assert client.get(article.get_absolute_url()).status_code == 404
        assert (
            client.get(
                Article.objects.get(slug="already-out").get_absolute_url()
            ).status_code
            == 200
        )

    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200
