"""An uncached list of 20 costs at most 4 queries, however many tags,
authors, takeaways, corrections and comments its pieces carry."""

import pytest

from articles.models import Article, ArticleAuthor
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def newsroom_of(size: int) -> None:
    section = SectionFactory(slug="world")
    authors = [AuthorFactory() for _ in range(size)]
    for n in range(20):
        article = ArticleFactory(
            section=section, tags=[f"t{n}-{i}" for i in range(size)]
        )
        for position, author in enumerate(authors):
            ArticleAuthor.objects.create(
                article=article, author=author, position=position
            )
        for _ in range(size):
            KeyTakeawayFactory(article=article)
            CorrectionFactory(article=article)
            CommentFactory(article=article)


@pytest.mark.parametrize("size", [1, 5])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/",
        "/api/v1/articles/?section=world",
        "/api/v1/articles/?tag=t3-0",
        "/api/v1/articles/?modified_since=2020-01-01",
    ],
)
def test_a_list_of_twenty_costs_at_most_four_queries(
    client, django_assert_max_num_queries, size, url
):
    newsroom_of(size)
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    if "tag=" not in url:
        assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("size", [1, 5])
def test_one_piece_costs_one_query(client, django_assert_max_num_queries, size):
    newsroom_of(size)
    pk = Article.objects.first().pk
    with django_assert_max_num_queries(1):
        assert client.get(f"/api/v1/articles/{pk}/").status_code == 200
