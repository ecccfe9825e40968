"""A list page's pieces are plain rows, not model instances, in two queries
with their bylines (articles.selectors.listed): the same pieces, addresses,
sections and bylines in the same order as model instances with their bylines
prefetched; the front, section, tag and author pages' query compiled once and
prepared once per PostgreSQL connection."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import cache as article_cache
from articles.models import Article, ArticleAuthor, Section
from articles.selectors.listed import ListQuery, _compiled, list_queryset, listed
from articles.selectors.pages import _page_query
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db
postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)


@pytest.fixture
def pieces():
    section = SectionFactory(name="Defence", slug="defence")
    zoe = AuthorFactory(name="Zoe Adams", slug="zoe-adams", job_title="Editor")
    abe = AuthorFactory(name="Abe Young", slug="abe-young", job_title="")
    now = timezone.now()
    made = [
        # Byline order is the position, not the name or the row's id.
        ArticleFactory(
            section=section,
            authors=[zoe, abe],
            tags=["Japan"],
            publish_at=now - timedelta(hours=1),
        ),
        ArticleFactory(
            section=section,
            authors=[abe],
            tags=["Japan"],
            publish_at=now - timedelta(hours=2),
        ),
        ArticleFactory(
            section=section, authors=[], publish_at=now - timedelta(hours=3)
        ),
    ]
    ArticleFactory(authors=[zoe], tags=["Japan"], publish_at=now - timedelta(hours=4))
    return made


def menu() -> list[dict]:
    """The sections menu's copy (``articles.cache.nav_sections``)."""
    return [
        {"pk": section.pk, "name": section.name, "slug": section.slug}
        for section in Section.objects.all()
    ]


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


def queries(pieces) -> list[ListQuery]:
    tag = Article.objects.get(pk=pieces[0].pk).tags.get().pk
    author = pieces[0].byline_authors[1].pk
    return [
        ListQuery("front"),
        ListQuery("section", pieces[0].section_id),
        *(ListQuery("tag", tag, busy) for busy in (False, True)),
        *(ListQuery("author", author, busy) for busy in (False, True)),
    ]


def instances(page) -> list[tuple]:
    return [shown(a) for a in page.select_related("section").with_bylines()]


def test_listed_pieces_show_what_model_instances_show_in_two_queries(
    pieces, django_assert_num_queries
):
    page, sections = Article.objects.published()[:20], menu()

    with django_assert_num_queries(2):
        rows = listed(page, sections)

    assert [shown(row) for row in rows] == instances(page)
    assert [b.author.name for b in rows[0].bylines.all()] == ["Zoe Adams", "Abe Young"]
    assert not rows[2].bylines.all()


@pytest.mark.parametrize(("start", "stop"), [(0, 20), (1, 3), (2, 4)])
def test_each_lists_compiled_query_gives_what_its_queryset_gives(
    pieces, start, stop, django_assert_max_num_queries
):
    everything = menu()
    for query in queries(pieces):
        page = list_queryset(query)[start:stop]
        expected = [shown(row) for row in listed(page, everything)]

        with django_assert_max_num_queries(2):  # none for an empty page's bylines
            rows = listed(page, everything, query)

        assert [shown(row) for row in rows] == expected, query
        assert [row[0] for row in expected] == [row[0] for row in instances(page)]


def test_an_empty_page_asks_nothing(pieces, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            listed(list_queryset(ListQuery("front"))[20:20], [], ListQuery("front"))
            == []
        )
        assert listed(Article.objects.published()[:0], []) == []


def test_a_section_missing_from_the_menu_is_read_from_the_database(
    pieces, django_assert_num_queries
):
    with django_assert_num_queries(3):
        rows = listed(Article.objects.published()[:20], [], ListQuery("front"))

    assert {row.section.name for row in rows[:3]} == {"Defence"}


def test_drafts_and_scheduled_pieces_are_not_listed_until_their_time(pieces):
    section = pieces[0].section
    draft = ArticleFactory(status=Article.Status.DRAFT, section=section)
    soon = timezone.now() + timedelta(minutes=5)
    scheduled = ArticleFactory(section=section, publish_at=soon)
    front, page = ListQuery("front"), Article.objects.published()[:20]

    listed_now = {row.pk for row in listed(page, [], front)}
    with time_machine.travel(soon + timedelta(seconds=1)):
        later = {row.pk for row in listed(Article.objects.published()[:20], [], front)}

    assert draft.pk not in listed_now | later
    assert scheduled.pk not in listed_now and scheduled.pk in later


def test_an_unknown_list_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="Unknown list 'sport'; known: front, section"):
        list_queryset(ListQuery("sport"))


def test_a_paged_query_refuses_to_run_without_its_window(pieces):
    compiled = _compiled(connection.vendor, "front", False)

    with pytest.raises(TypeError, match="limit and offset"):
        compiled.values(at=timezone.now())
    with pytest.raises(TypeError, match="use rows"):
        _page_query(connection.vendor).values(slug="x", at=timezone.now())


def test_a_list_pages_tags_name_the_authors_of_its_listed_pieces(pieces):
    rows = listed(Article.objects.published()[:20], menu())
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


# PostgreSQL: prepared once per connection, outside a transaction --------------


@pytest.fixture
def fresh_connection(transactional_db):
    """A new connection, outside any transaction, as a reader's request has."""
    connection.close()
    yield
    connection.close()


def front_page() -> tuple[list[int], list[str]]:
    sections = menu()
    with CaptureQueriesContext(connection) as seen:
        rows = listed(Article.objects.published()[:20], sections, ListQuery("front"))
    return [row.pk for row in rows], [q["sql"].split()[0] for q in seen]


@postgresql
def test_a_connection_prepares_a_lists_query_once_and_again_after_discard_all(
    fresh_connection,
):
    piece = ArticleFactory(authors=[AuthorFactory()])
    statement = _compiled(connection.vendor, "front", False).statement

    assert front_page()[0] == [piece.pk]
    assert front_page() == ([piece.pk], ["EXECUTE", "SELECT"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        assert statement in {name for (name,) in cursor.fetchall()}
        cursor.execute("DISCARD ALL")  # what a pooler does between clients

    # Gone, prepared again, run again; then as before. The bylines' query
    # is not prepared.
    assert front_page() == ([piece.pk], ["EXECUTE", "EXECUTE", "SELECT"])
    assert front_page() == ([piece.pk], ["EXECUTE", "SELECT"])
