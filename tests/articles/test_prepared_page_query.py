"""The article page's query, compiled once and prepared once per PostgreSQL
connection (``articles.selectors.prepared``): the same piece as the plain
queryset, only what ``published()`` shows, and still answered after the
statement is gone (``DISCARD ALL``, a new connection)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.selectors import pages
from articles.selectors.pages import public_article, public_article_queryset
from articles.selectors.prepared import CompiledQuery
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)


@pytest.fixture
def piece(db, editor):
    article = ArticleFactory(
        authors=[AuthorFactory(name="Daniel Perez", job_title="News Editor")],
        tags=["Japan", "United Kingdom"],
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )
    KeyTakeawayFactory(article=article, position=1, label="First", text="One.")
    CorrectionFactory(article=article, editor=editor)
    ArticleFactory().tags.add("Japan")
    return article


def loaded(article: Article) -> dict:
    """What a fetched piece holds: its loaded columns, annotations, section."""
    values = {name: value for name, value in vars(article).items() if name != "_state"}
    values["section"] = (article.section.pk, article.section.name)
    return values


def test_the_piece_is_what_the_plain_queryset_gives(piece, django_assert_num_queries):
    with django_assert_num_queries(1):  # the section and parts included
        found = public_article(piece.slug)
        shown = loaded(found)
    expected = loaded(public_article_queryset().get(slug=piece.slug))

    assert shown == expected
    assert found.get_deferred_fields() == (
        public_article_queryset().get(slug=piece.slug).get_deferred_fields()
    )


@pytest.mark.parametrize(
    ("status", "offset", "shown"),
    [
        (Article.Status.PUBLISHED, timedelta(0), True),  # exactly now
        (Article.Status.PUBLISHED, timedelta(microseconds=1), False),
        (Article.Status.PUBLISHED, timedelta(days=2), False),  # scheduled
        (Article.Status.DRAFT, timedelta(hours=-1), False),
        (Article.Status.REVIEW, timedelta(hours=-1), False),
        (Article.Status.WITHDRAWN, timedelta(hours=-1), False),
    ],
)
def test_only_what_published_shows(db, status, offset, shown):
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(status=status, publish_at=NOW + offset)

        assert (public_article(article.slug) is not None) is shown


def test_a_scheduled_piece_appears_when_its_time_comes(db):
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(publish_at=NOW + timedelta(minutes=30))
        assert public_article(article.slug) is None
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        assert public_article(article.slug) == article


def test_an_unknown_address_is_none(piece):
    assert public_article("no-such-piece") is None
    assert public_article(piece.slug + "-2") is None


def test_a_placeholder_the_query_does_not_use_is_refused(db):
    with pytest.raises(ValueError, match="'slug' is 0 parameters, not one"):
        CompiledQuery(
            lambda slug: Article.objects.published(),
            {"slug": ("\x00slug", lambda value: value)},
        )


# PostgreSQL: prepared once per connection, outside a transaction --------------


def statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def run(slug: str) -> tuple[Article | None, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        found = public_article(slug)
    return found, [query["sql"].split()[0] for query in queries.captured_queries]


@pytest.fixture
def fresh_connection(transactional_db):
    """A new connection, outside any transaction, as a reader's request has."""
    connection.close()
    yield
    connection.close()


@pytest.fixture
def committed(fresh_connection):
    """A piece with parts, committed (no editor: the flush takes the groups)."""
    return ArticleFactory(authors=[AuthorFactory()], tags=["Japan"])


@postgresql
def test_a_connection_prepares_the_query_once(committed):
    statement = pages._page_query(connection.vendor).statement

    assert statements() == set()
    first, sent = run(committed.slug)
    assert first == committed
    assert sent == ["EXECUTE"]  # preparing is the connection's set-up
    assert statements() == {statement}

    second, sent = run(committed.slug)
    assert second == committed
    assert sent == ["EXECUTE"]


@postgresql
def test_after_discard_all_the_query_is_prepared_again(committed):
    run(committed.slug)
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")  # what a pooler does between clients

    assert statements() == set()

    found, sent = run(committed.slug)

    assert found == committed
    assert sent == ["EXECUTE", "EXECUTE"]  # gone, prepared again, run again
    assert len(statements()) == 1
    assert run(committed.slug)[1] == ["EXECUTE"]


@postgresql
def test_a_new_connection_prepares_it_again(committed):
    run(committed.slug)
    connection.close()  # CONN_MAX_AGE passed, or the server went away

    found, sent = run(committed.slug)

    assert found == committed
    assert sent == ["EXECUTE"]
    assert len(statements()) == 1


@postgresql
def test_a_missing_piece_after_discard_all_is_still_none(committed):
    run(committed.slug)
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")

    assert run("no-such-piece")[0] is None


@postgresql
def test_switched_off_it_sends_the_plain_query(committed, settings):
    settings.NEWSROOM_PREPARED_STATEMENTS = False

    found, sent = run(committed.slug)

    assert found == committed
    assert sent == ["SELECT"]
    assert statements() == set()


@postgresql
def test_inside_a_transaction_it_sends_the_plain_query(piece):
    # A failed EXECUTE would abort the transaction: nothing to retry with.
    found, sent = run(piece.slug)

    assert found == piece
    assert sent == ["SELECT"]


@postgresql
def test_a_plan_that_no_longer_fits_the_table_is_prepared_again(committed):
    run(committed.slug)
    with connection.cursor() as cursor:  # a migration while workers run
        cursor.execute("ALTER TABLE articles_section ALTER COLUMN name TYPE text")
    try:
        found, sent = run(committed.slug)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE articles_section ALTER COLUMN name TYPE varchar(100)"
            )

    assert found == committed
    assert sent == ["EXECUTE", "EXECUTE"]
    assert len(statements()) == 1
