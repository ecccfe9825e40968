"""
The public comment count stored on each article.

Every page that shows "12 comments" reads ``Article.comment_count``, so no
page counts rows. The services call ``recount`` inside the transaction of
every decision that changes what readers see (an approved post, a moderator's
decision, a deletion, reports taking a comment out of view), so the stored
number commits or rolls back with the decision itself.

``recount`` counts the rows rather than adding one: a count cannot drift,
whatever path changed the rows. The one exception is the commonest change, a
reader's post approved at once: ``count_new_comment`` adds one, which is
exact by construction (the row did not exist before this transaction), costs
one UPDATE whatever the article's number of comments, and leaves any earlier
drift as it was for the repair command. On PostgreSQL it first takes the article
row's lock (``FOR NO KEY UPDATE``, which does not conflict with the key-share
lock the new comment's foreign key holds), so two decisions on one article
are counted one after the other and the second sees the first; each statement
under READ COMMITTED reads what has committed before it started. SQLite runs
one writer at a time anyway.

Imports go through ``services.comment_bulk_create``, which recounts once per
batch. Rows written around the services (fixtures, a restored backup from
elsewhere) are put right by ``manage.py repair_comment_counts``.
"""

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article

from .models import Comment


def public_count():
    """An article's public comments, counted: an expression for ``update``."""
    return Coalesce(
        Subquery(
            Comment.objects.public()
            .filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        Value(0),
    )


def _recount_sql(number: int) -> str:
    """The UPDATE of ``recount`` as plain SQL: posting runs it every time, and
    building it with the ORM cost more than running it. Same rule as
    ``public_filter``; tests compare it with ``drifted``."""
    quote = connection.ops.quote_name
    article, comment = Article._meta.db_table, Comment._meta.db_table
    marks = ", ".join(["%s"] * number)
    return (
        f"UPDATE {quote(article)} SET {quote('comment_count')} = ("
        f"SELECT COUNT(*) FROM {quote(comment)} c WHERE c.article_id = "
        f"{quote(article)}.id AND c.status = '{Comment.Status.APPROVED}' "
        f"AND c.hidden_at IS NULL) WHERE id IN ({marks})"
    )


def recount(*article_ids: int) -> None:
    """Store the public comment count of these articles, from their rows.

    Call it inside the transaction that changed the comments."""
    ids = sorted({pk for pk in article_ids if pk})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        if connection.features.has_select_for_update:
            list(
                Article.objects.select_for_update(no_key=True)
                .filter(pk__in=ids)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        with connection.cursor() as cursor:
            cursor.execute(_recount_sql(len(ids)), ids)


def count_new_comment(article_id: int) -> None:
    """One comment written in this transaction is public: add it to the count.

    The UPDATE takes the article row's lock, so concurrent posts and a
    ``recount`` are applied one after the other; under READ COMMITTED the
    increment re-reads the row a concurrent recount left behind."""
    with connection.cursor() as cursor:
        cursor.execute(*new_comment_sql(article_id))


def new_comment_sql(article_id: int) -> tuple[str, list]:
    """The UPDATE of ``count_new_comment`` and its parameters, also for a
    statement that writes the comment beside it (``comments.services``, on
    PostgreSQL)."""
    quote = connection.ops.quote_name
    column = quote("comment_count")
    return (
        f"UPDATE {quote(Article._meta.db_table)} SET {column} = {column} + 1 "
        "WHERE id = %s",
        [article_id],
    )


def drifted() -> list[tuple[int, int, int]]:
    """(article id, stored count, true count) for every article that is wrong."""
    return [
        (pk, stored, actual)
        for pk, stored, actual in Article.objects.annotate(actual=public_count())
        .order_by("pk")
        .values_list("pk", "comment_count", "actual")
        .iterator(chunk_size=2000)
        if stored != actual
    ]
