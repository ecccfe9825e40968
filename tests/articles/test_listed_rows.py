"""A list page's pieces are plain rows, not model instances
(articles.selectors.lists.listed): the same pieces, addresses, sections and
bylines in the same order as the prefetching path, in two queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import cache as article_cache
from articles.models import Article, ArticleAuthor
from articles.selectors.lists import listed
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pieces():
    section = SectionFactory(name="Defence", slug="defence")
    zoe = AuthorFactory(name="Zoe Adams", slug="zoe-adams", job_title="Editor")
    abe = AuthorFactory(name="Abe Young", slug="abe-young", job_title="")
    now = timezone.now()
    return [
        # Byline order is the position, not the name or the row's id.
        ArticleFactory(
            section=section, authors=[zoe, abe], publish_at=now - timedelta(hours=1)
        ),
        ArticleFactory(
            section=section, authors=[abe], publish_at=now - timedelta(hours=2)
        ),
        ArticleFactory(
            section=section, authors=[], publish_at=now - timedelta(hours=3)
        ),
    ]


def menu(section) -> list[dict]:
    return [{"pk": section.pk, "name": section.name, "slug": section.slug}]


def shown(article) -> tuple:
    """What a card, the lead story and the page's tags read of a piece."""
    return (
        article.pk,
        article.headline,
        article.dek,
        article.get_absolute_url(),
        article.section.name,
        article.section.get_absolute_url(),
        article.lead_image_renditions,
        [
            (
                byline.author_id,
                byline.author.name,
                byline.author.job_title,
                byline.author.get_absolute_url(),
            )
            for byline in article.bylines.all()
        ],
    )


def test_listed_pieces_show_what_model_instances_show_in_two_queries(
    pieces, django_assert_num_queries
):
    page = Article.objects.published()[:20]
    expected = [shown(a) for a in page.select_related("section").with_bylines()]

    with django_assert_num_queries(2):
        rows = listed(page, menu(pieces[0].section))

    assert [shown(row) for row in rows] == expected
    assert [b.author.name for b in rows[0].bylines.all()] == ["Zoe Adams", "Abe Young"]
    assert not rows[2].bylines.all()


def test_an_empty_page_asks_for_no_bylines(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert listed(Article.objects.published()[:20], []) == []


def test_a_section_missing_from_the_menu_is_read_from_the_database(
    pieces, django_assert_num_queries
):
    with django_assert_num_queries(3):
        rows = listed(Article.objects.published()[:20], [])

    assert {row.section.name for row in rows} == {"Defence"}


def test_unpublished_pieces_are_not_listed(pieces):
    draft = ArticleFactory(status=Article.Status.DRAFT, section=pieces[0].section)

    rows = listed(Article.objects.published()[:20], menu(pieces[0].section))

    assert draft.pk not in {row.pk for row in rows}
    assert len(rows) == len(pieces)


def test_a_list_pages_tags_name_the_authors_of_its_listed_pieces(pieces):
    rows = listed(Article.objects.published()[:20], menu(pieces[0].section))
    authors = {link.author_id for link in ArticleAuthor.objects.all()}

    tags = article_cache.list_tags(article_cache.list_tag("front"), rows)

    assert {article_cache.author_tag(pk) for pk in authors} <= tags


def test_a_model_instance_without_bylines_prefetched_costs_no_query_for_its_tags(
    pieces, django_assert_num_queries
):
    articles = list(Article.objects.published())

    with django_assert_num_queries(0):
        tags = article_cache.list_tags(article_cache.list_tag("front"), articles)

    assert not any(tag.startswith("author:") for tag in tags)
