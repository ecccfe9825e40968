"""An old address's last segment is stored and indexed, so a slug clash is
found by a look-up, not by scanning every old address."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ArticlePath
from articles.services import article_paths_add
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "segment"),
    [
        ("/news/2020/01/15/budget/", "budget"),
        ("/budget/", "budget"),
        ("/?p=12", ""),
        ("/2020/01/budget", ""),
        ("budget/", ""),
    ],
)
def test_the_last_segment_is_what_ends_in_a_slash(path, segment):
    assert ArticlePath.last_segment(path) == segment


def test_every_way_of_recording_a_path_fills_its_segment():
    article = ArticleFactory()
    ArticlePath.objects.create(path="/news/2020/01/15/one/", article=article)
    article_paths_add(article=article, paths=["/2019/03/two/", "/?p=3"])

    assert dict(ArticlePath.objects.values_list("path", "slug")) == {
        "/news/2020/01/15/one/": "one",
        "/2019/03/two/": "two",
        "/?p=3": "",
    }


def _clean_queries(slug: str) -> tuple[int, ValidationError | None]:
    newcomer = Article(slug=slug)
    with CaptureQueriesContext(connection) as queries:
        try:
            newcomer.clean()
        except ValidationError as error:
            return len(queries), error
    return len(queries), None


def test_a_slug_clash_with_an_old_address_is_still_found():
    taken = ArticleFactory(headline="The old piece")
    prefix = taken.get_absolute_url().split("/20")[0]
    ArticlePath.objects.create(path=f"{prefix}/2020/01/15/budget/", article=taken)

    _, error = _clean_queries("budget")

    assert error is not None
    assert "The old piece" in error.message_dict["slug"][0]
    assert _clean_queries("budget-2")[1] is None


def test_the_slug_check_costs_the_same_however_many_old_addresses():
    article = ArticleFactory()
    prefix = article.get_absolute_url().split("/20")[0]
    counts = []
    for size in (10, 200):
        ArticlePath.objects.bulk_create(
            ArticlePath(
                path=f"{prefix}/2020/01/15/s{size}-{n}/",
                slug=f"s{size}-{n}",
                article=article,
            )
            for n in range(size)
        )
        counts.append(_clean_queries("fresh")[0])
        # The database finds it by the index, not a scan of the table.
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "EXPLAIN QUERY PLAN SELECT id FROM articles_articlepath "
                    "WHERE slug = %s",
                    ["fresh"],
                )
                plan = " ".join(str(row) for row in cursor.fetchall())
            assert "articles_path_slug_idx" in plan
    assert counts[0] == counts[1] == 1
