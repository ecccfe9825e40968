"""The article a post goes under, read by a query built once per process
(``comments.selectors.article_for_posting``): the same article, and the same
refusals, as ``Article.objects.published()``."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.selectors import POSTING_FIELDS, article_for_posting
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_published_article_comes_with_the_columns_posting_reads(
    article, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = article_for_posting(article.pk)

    expected = Article.objects.published().only(*POSTING_FIELDS).get(pk=article.pk)
    assert found == expected
    assert {name: getattr(found, name) for name in POSTING_FIELDS} == {
        name: getattr(expected, name) for name in POSTING_FIELDS
    }
    assert found.publish_at.tzinfo is not None
    assert "body" in found.get_deferred_fields()
    assert found.get_absolute_url() == article.get_absolute_url()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "draft", "publish_at": None},
        {"status": "review", "publish_at": None},
        {"status": "withdrawn"},
        # Scheduled: published, its time not come.
        {"publish_at": timezone.now() + timedelta(hours=1)},
    ],
)
def test_an_article_readers_may_not_see_is_none(fields):
    hidden = ArticleFactory(**fields)

    assert not Article.objects.published().filter(pk=hidden.pk).exists()
    assert article_for_posting(hidden.pk) is None


def test_an_unknown_article_is_none():
    assert article_for_posting(10**9) is None


def test_posting_under_a_scheduled_article_is_404_and_stores_nothing(post_comment):
    scheduled = ArticleFactory(publish_at=timezone.now() + timedelta(hours=1))

    assert post_comment(target=scheduled).status_code == 404
    assert not Comment.objects.exists()
