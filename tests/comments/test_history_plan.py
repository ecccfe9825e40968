"""The commenter's record (``comments.history``) on a busy article: the
duplicate check reads this commenter's comments, never every comment of the
article (on PostgreSQL it once read all 3,257 of the bench's busy article on
each post, through an index of the article alone)."""

import json

import pytest
from django.db import connection

from comments.history import commenter_history
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

DUPLICATE_CHECK = (
    'SELECT body FROM "comments_comment" WHERE article_id = %s '
    "AND author_email = %s AND created_at >= %s"
)


def _comments(article, count):
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name="A reader",
            author_email=f"reader{n}@example.org",
            body=f"Comment {n}.",
            status="approved",
            depth=1,
        )
        for n in range(count)
    )


def _busy(article, count=300):
    """``article`` gets ``count`` comments after the table's statistics were
    taken, as a discussion grows between two of autovacuum's ANALYZEs."""
    for _ in range(4):
        _comments(ArticleFactory(), 400)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Comment._meta.db_table}"')
    _comments(article, count)


def _plan(article, email) -> str:
    since = connection.ops.adapt_datetimefield_value(
        Comment.objects.earliest("created_at").created_at
    )
    params = [article.pk, email, since]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + DUPLICATE_CHECK, params)
            return json.dumps(cursor.fetchone()[0])
        cursor.execute("EXPLAIN QUERY PLAN " + DUPLICATE_CHECK, params)
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_duplicate_check_reads_only_the_commenters_comments(article):
    _busy(article)
    CommentFactory(article=article, author_email="reader@example.org")

    plan = _plan(article, "reader@example.org")

    assert "Seq Scan" not in plan and "SCAN" not in plan.replace("SEARCH", "")
    if connection.vendor == "postgresql":
        removed = [
            node.get("Rows Removed by Filter", 0)
            for node in _nodes(json.loads(plan)[0]["Plan"])
        ]
        assert max(removed) <= 1, plan
    else:
        assert "author_email=?" in plan, plan


def _nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def test_the_record_still_finds_the_commenters_recent_comment(article):
    _busy(article, count=50)
    CommentFactory(article=article, author_email="reader@example.org", body="Same.")

    found, other = (
        commenter_history(
            article_id=article.pk, email=email, ip=None, duplicate_hours=24, needed=0
        )
        for email in ("reader@example.org", "someone.else@example.org")
    )

    assert found.recent_bodies == ("Same.",)
    assert other.recent_bodies == ()
