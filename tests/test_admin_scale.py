"""The editors' and moderators' lists stay cheap as the newsroom grows."""

import pytest
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def grow(articles: int, tags_each: int = 3):
    section = SectionFactory()
    author = AuthorFactory()
    made = ArticleFactory.create_batch(articles, section=section, authors=[author])
    for number, article in enumerate(made):
        article.tags.add(*[f"topic {number * tags_each + n}" for n in range(tags_each)])
        CommentFactory(article=article, status="pending")
    return made


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_changelist") + "?state=live&p=2",
        reverse("admin:articles_article_changelist")
        + "?publish_at__gte=2000-01-01T00:00:00%2B00:00",
        reverse("admin:comments_comment_changelist"),
        reverse("admin:comments_comment_changelist") + "?queue=all&status=pending",
    ],
)
def test_admin_lists_cost_the_same_with_more_rows(
    admin_client, url, django_assert_max_num_queries
):
    grow(5)
    with django_assert_max_num_queries(20) as small:
        assert admin_client.get(url).status_code == 200

    grow(120)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_the_tag_filter_offers_the_busiest_tags_not_all_of_them(admin_client):
    grow(60, tags_each=2)  # 120 tags used once each
    for article in ArticleFactory.create_batch(3):
        article.tags.add("Japan")
    url = reverse("admin:articles_article_changelist")

    html = admin_client.get(url).content.decode()

    assert html.count("?tag=") == 20
    assert "?tag=japan" in html  # the most used comes first
    rare = admin_client.get(url + "?tag=topic-7").content.decode()
    assert "?tag=topic-7" in rare  # a chosen tag stays listed
    assert rare.count('name="_selected_action"') == 1  # only that piece


def test_no_date_hierarchy_distinct_over_every_row(
    admin_client, django_assert_max_num_queries
):
    grow(3)
    url = reverse("admin:articles_article_changelist")

    with django_assert_max_num_queries(20) as queries:
        admin_client.get(url)

    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"]]
