"""Many readers and moderators at once: nothing lost, nothing doubled, counts exact.

The same tests run in both CI passes. On PostgreSQL they use the test
database itself. SQLite's test database lives in memory with a shared cache,
where a second writer fails at once ("database table is locked") instead of
waiting, unlike the WAL file the site runs on; so on SQLite the tests copy
the database into a temporary file opened with the project's own settings
(WAL, BEGIN IMMEDIATE, busy timeout) and the threads use that. There the
point is that concurrent posts wait their turn rather than fail.
"""

import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import AuditEntry, Comment, ModerationSettings
from tests.comments.conftest import comment_data
from tests.factories import ArticleFactory, CommentFactory, UserFactory


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """Where worker threads read and write; see the module's docstring."""

    def start():
        if connection.vendor != "sqlite":
            return connection.vendor
        path = tmp_path / "concurrency.sqlite3"
        target = __import__("sqlite3").connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        # WAL is a property of the file: set it once here, as the site's first
        # start does. Otherwise threads opening their connections at the same
        # moment race to switch the journal mode, and one gets "database is
        # locked" from the switch itself (seen in 1 run of 4).
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        original = connections.settings["default"]
        connections.settings["default"] = {**original, "NAME": str(path)}
        restore.append(original)
        return "sqlite-file"

    restore = []
    yield start
    if restore:
        connections.settings["default"] = restore[0]


def in_threads(count: int, work) -> tuple[list, float]:
    """Run ``work(n)`` in ``count`` threads that start together; return results."""
    results, errors = [None] * count, []
    barrier = threading.Barrier(count)

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # reported below, with the thread's number
            errors.append((n, repr(error)))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return results, time.perf_counter() - started


def in_a_thread(work):
    results, _ = in_threads(1, lambda _n: work())
    return results[0]


def figures(capsys, text):
    with capsys.disabled():
        print(f"\n    {text}")


def test_concurrent_posts_all_land_and_the_count_is_exact(
    shared_database, capsys, settings
):
    settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE = 1000  # every one on the page
    article = ArticleFactory()
    config = ModerationSettings.load()
    config.trusted_after_approved = 0
    config.rate_short_count = config.rate_long_count = 1000
    config.save()
    where = shared_database()
    threads, posts = (16, 10) if where == "postgresql" else (8, 5)
    url = reverse("comments:post", args=[article.pk])

    def reader(n):
        client = Client()
        statuses = []
        for i in range(posts):
            response = client.post(
                url,
                comment_data(
                    name=f"Reader {n}",
                    email=f"reader{n}@example.org",
                    body=f"Comment {i} from reader {n}.",
                ),
                REMOTE_ADDR=f"198.51.{n}.{i + 1}",
            )
            statuses.append(response.status_code)
        return statuses

    results, seconds = in_threads(threads, reader)

    expected = threads * posts
    assert [s for statuses in results for s in statuses] == [303] * expected
    count, page = in_a_thread(
        lambda: (
            Comment.objects.public().filter(article=article).count(),
            Client().get(article.get_absolute_url()).content.decode(),
        )
    )
    assert count == expected
    assert f'<a href="#comments">{expected} comments</a>' in page
    assert page.count('<li class="comment" id="comment-') == expected
    figures(
        capsys,
        f"{where}: {expected} posts from {threads} threads in {seconds:.2f} s; "
        f"count {count} of {expected}",
    )


def test_posting_and_approving_at_once_keeps_the_count_exact(shared_database, capsys):
    article = ArticleFactory()
    config = ModerationSettings.load()
    config.trusted_after_approved = 0
    config.rate_short_count = config.rate_long_count = 1000
    config.save()
    held = [
        CommentFactory(article=article, status="pending", body=f"held {n}")
        for n in range(30)
    ]
    moderators = [UserFactory(username=f"mod{n}") for n in range(4)]
    where = shared_database()
    url = reverse("comments:post", args=[article.pk])

    def work(n):
        if n < len(moderators):
            order = list(held)
            random.Random(n).shuffle(order)
            return sum(
                services.comment_approve(comment=c, actor=moderators[n]) for c in order
            )
        client = Client()
        for i in range(5):
            response = client.post(
                url,
                comment_data(email=f"p{n}@example.org", body=f"post {n} {i}"),
                REMOTE_ADDR=f"203.0.{n}.{i + 1}",
            )
            assert response.status_code == 303
        return 0

    results, seconds = in_threads(12, work)

    approvals = sum(results)
    count, stored, logged = in_a_thread(
        lambda: (
            Comment.objects.public().filter(article=article).count(),
            type(article).objects.get(pk=article.pk).comment_count,
            AuditEntry.objects.filter(action="moderated").count(),
        )
    )
    assert approvals == logged == 30  # each held comment approved exactly once
    assert count == stored == 30 + 8 * 5
    figures(
        capsys,
        f"{where}: 40 posts and 4 moderators approving 30 comments at once in "
        f"{seconds:.2f} s; count {count} of 70",
    )


def test_a_crowd_reporting_at_once_hides_the_comment_once(shared_database):
    comment = CommentFactory()
    config = ModerationSettings.load()
    config.report_threshold = Decimal(3)
    config.save()
    shared_database()

    outcomes, _ = in_threads(
        10,
        lambda n: services.comment_report(
            comment=comment, reason="abuse", reporter_key=f"reader-{n}"
        ),
    )

    # Exactly the threshold's worth got in; after that the comment is gone
    # from view, so the other reports find nothing to report.
    assert sorted(o.refused for o in outcomes) == ["", "", "", *["gone"] * 7]
    hidden, reports, public = in_a_thread(
        lambda: (
            AuditEntry.objects.filter(action="hidden").count(),
            comment.reports.count(),
            Comment.objects.public().filter(pk=comment.pk).exists(),
        )
    )
    assert (hidden, reports, public) == (1, 3, False)


def test_the_same_reader_reporting_twice_at_once_counts_once(shared_database):
    comment = CommentFactory()
    shared_database()

    outcomes, _ = in_threads(
        6,
        lambda n: services.comment_report(
            comment=comment, reason="spam", reporter_key="one-reader"
        ),
    )

    assert sorted(o.refused for o in outcomes) == ["", *["already"] * 5]
    assert in_a_thread(lambda: comment.reports.count()) == 1
