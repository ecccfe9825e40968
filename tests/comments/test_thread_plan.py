"""A page of threads reads each comment of the piece at most a few times,
however stale PostgreSQL's statistics are.

The thread heads ("public comments whose parent is not public") were once a
NOT EXISTS that PostgreSQL turned into an anti-join. When its statistics said
the piece had a few comments (a new piece, before the table is analysed
again), it chose a nested loop that rescanned the piece's comments for each
comment: 230 ms for a thread page of a new piece with 1,000 comments among
the bench's 58,000, 0.77 s with 1,200 on a new site.
The rows looked at are counted from EXPLAIN ANALYZE, so this is not a timed
test: a quadratic plan shows as rows, whatever the machine.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from comments.selectors import thread_page
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner only"
)

COMMENTS = 400


def rows_looked_at(plan: dict) -> int:
    """Rows every node produced or threw away, times its loops, in the tree."""
    loops = plan.get("Actual Loops", 1)
    own = (
        plan.get("Actual Rows", 0)
        + plan.get("Rows Removed by Filter", 0)
        + plan.get("Rows Removed by Join Filter", 0)
    ) * loops
    return own + sum(rows_looked_at(child) for child in plan.get("Plans", []))


def thread_page_queries(article, **page) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        thread_page(article, per_page=20, count_pages=True, **page)
    return [query["sql"] for query in captured]


def explained(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return plan[0]["Plan"]


def analyse():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE comments_comment")


def quiet_pieces(pieces: int = 300, each: int = 4) -> None:
    """An archive of pieces with a few comments each, as most are."""
    articles = [ArticleFactory() for _ in range(pieces)]
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name="A reader",
            author_email=f"quiet{article.pk}-{n}@example.org",
            body="A comment.",
            status=Comment.Status.APPROVED,
        )
        for article in articles
        for n in range(each)
    )


def a_busy_piece(*, analysed_at_first: bool):
    """A new piece whose discussion grew after the statistics were taken (as
    on a big site, where the table is analysed again only once a tenth of it
    has changed), or before."""
    quiet_pieces()
    article = ArticleFactory()
    first = CommentFactory(article=article)
    if analysed_at_first:
        analyse()
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body=f"Comment {n}.",
            status=Comment.Status.APPROVED,
            parent=first if n % 10 == 0 else None,
            root=first if n % 10 == 0 else None,
            depth=2 if n % 10 == 0 else 1,
        )
        for n in range(COMMENTS)
    )
    if not analysed_at_first:
        analyse()
    return article


@postgresql_only
@pytest.mark.parametrize("analysed_at_first", [True, False], ids=["stale", "fresh"])
@pytest.mark.parametrize("number", [1, 15])
def test_a_thread_page_reads_the_piece_a_few_times_not_once_per_comment(
    analysed_at_first, number
):
    article = a_busy_piece(analysed_at_first=analysed_at_first)

    queries = thread_page_queries(article, number=number)

    assert len(queries) == 2  # the count of pages, then the page
    for sql in queries:
        looked_at = rows_looked_at(explained(sql))
        # Linear: the heads, their parents by id, the page's threads. A
        # quadratic plan looks at COMMENTS squared (160,000) rows or more.
        assert looked_at < 40 * COMMENTS, (looked_at, sql)


def test_the_heads_are_still_the_public_comments_whose_parent_is_not_shown():
    article = a_busy_piece(analysed_at_first=True)
    held_parent = CommentFactory(article=article, status=Comment.Status.PENDING)
    orphan = CommentFactory(article=article, parent=held_parent)

    heads = []
    number = 1
    while True:
        page = thread_page(article, number=number, per_page=100)
        heads += [node.comment.pk for node in page.nodes]
        if not page.has_next:
            break
        number += 1

    public = Comment.objects.public().filter(article=article)
    expected = list(
        public.exclude(parent__in=public)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    assert heads == expected
    assert orphan.pk in heads and held_parent.pk not in heads
    assert len(heads) == COMMENTS + 2 - COMMENTS // 10
