"""``articles.services.rows.rows_insert``: new rows in bulk, the same rows
``bulk_create`` writes (ids set, derived dates stamped, parents followed),
with a date given kept where asked, in one INSERT per chunk."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import ArticlePath
from articles.services.rows import row_values, rows_insert
from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_rows_get_their_ids_and_read_back_as_written():
    article = ArticleFactory()
    rows = [
        ArticlePath(path=f"/old/{n}/", slug=str(n), article=article) for n in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        rows_insert(ArticlePath, rows)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    stored = {row.pk: row.path for row in ArticlePath.objects.filter(article=article)}
    assert stored == {row.pk: row.path for row in rows}
    assert all(row.created_at is not None for row in rows)  # auto_now_add


def test_a_given_date_is_kept_only_where_asked():
    article = ArticleFactory()
    old = datetime(2015, 1, 1, 12, tzinfo=UTC)
    kept, stamped = (
        Comment(article=article, body="Hello", author_name="A", created_at=old),
        Comment(article=article, body="Hello", author_name="B", created_at=old),
    )
    rows_insert(Comment, [kept], keep_given=("created_at",))
    rows_insert(Comment, [stamped])
    assert Comment.objects.get(pk=kept.pk).created_at == old
    assert Comment.objects.get(pk=stamped.pk).created_at > old


def test_a_parent_saved_after_it_was_set_is_followed():
    article = ArticleFactory()
    parent = Comment(article=article, body="First", author_name="A", depth=1)
    reply = Comment(article=article, body="Reply", author_name="B", depth=2)
    reply.parent = parent  # not saved yet: no id to copy
    rows_insert(Comment, [parent])
    rows_insert(Comment, [reply])
    assert Comment.objects.get(pk=reply.pk).parent_id == parent.pk


def test_a_parent_never_saved_is_refused():
    article = ArticleFactory()
    reply = Comment(article=article, body="Reply", author_name="B")
    reply.parent = Comment(article=article, body="Never saved")
    with pytest.raises(ValueError, match="parent is not saved"):
        rows_insert(Comment, [reply])


def test_row_values_are_a_new_rows_columns_as_rows_insert_writes_them():
    article = ArticleFactory()
    path = ArticlePath(path="/old/1/", slug="1", article=article)

    values = dict(row_values(path, connection))

    quote = connection.ops.quote_name
    assert quote("id") not in values
    assert values[quote("article_id")] == article.pk
    assert values[quote("path")] == "/old/1/"
    assert path.created_at is not None  # auto_now_add, as rows_insert stamps it


def test_row_values_refuse_a_saved_row_and_an_unsaved_parent():
    article = ArticleFactory()
    saved = ArticlePath.objects.create(path="/old/2/", slug="2", article=article)
    orphan = Comment(article=ArticleFactory.build(pk=None), body="never stored")

    with pytest.raises(ValueError, match="only new rows"):
        row_values(saved, connection)
    with pytest.raises(ValueError, match="not saved yet"):
        row_values(orphan, connection)


def test_each_model_keeps_its_own_statement_from_one_insert_to_the_next():
    # What rows_insert writes for a model is worked out once per process: a
    # model inserted after another must still get its own table and columns.
    article = ArticleFactory()
    for n in range(2):
        rows_insert(
            ArticlePath, [ArticlePath(path=f"/p/{n}/", slug=f"{n}", article=article)]
        )
        rows_insert(Comment, [Comment(article=article, body=f"text {n}")])

    assert sorted(
        ArticlePath.objects.filter(article=article).values_list("path", flat=True)
    ) == ["/p/0/", "/p/1/"]
    assert sorted(
        Comment.objects.filter(article=article).values_list("body", flat=True)
    ) == ["text 0", "text 1"]
