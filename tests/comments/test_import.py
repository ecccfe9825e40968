"""Importing many already-decided comments at once: threads, dates, counts,
history and one purge; a bad batch stores nothing and says why."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from articles.models import Article
from comments import counts, services
from comments.models import AuditEntry, Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

VIA = "manage.py import_wordpress"
POSTED = datetime(2019, 3, 4, 9, 30, tzinfo=UTC)


def row(article, **fields) -> Comment:
    fields = {
        "author_name": "Hannah M.",
        "author_email": "hannah@example.org",
        "body": "Is there any sign of a mutual defence clause?",
        "status": Comment.Status.APPROVED,
        **fields,
    }
    return Comment(article=article, **fields)


def stored_count(article) -> int:
    return Article.objects.values_list("comment_count", flat=True).get(pk=article.pk)


def nothing_written(article, comments_before: int = 0) -> bool:
    return (
        Comment.objects.count() == comments_before
        and not AuditEntry.objects.exists()
        and stored_count(article) == comments_before
    )


def test_an_import_stores_threads_as_decided_with_their_dates(article, config):
    config.premoderate_all = True  # the rules would hold everything: they do not run
    config.save()
    top = row(article, author_email=" Ama@Example.org ", created_at=POSTED)
    reply = row(article, parent=top, body="Not yet.", notify_replies=True)
    held = row(article, status=Comment.Status.PENDING, body="Held over there.")
    spam = row(article, status=Comment.Status.SPAM, body="Buy now.")

    stored = services.comment_bulk_create(comments=[top, reply, held, spam], via=VIA)

    assert [comment.pk is not None for comment in stored] == [True] * 4
    top.refresh_from_db()
    reply.refresh_from_db()
    assert top.author_email == "ama@example.org"
    assert top.created_at == POSTED
    assert (top.depth, top.root_id, top.parent_id) == (1, None, None)
    assert (reply.depth, reply.root_id, reply.parent_id) == (2, top.pk, top.pk)
    assert [Comment.objects.get(pk=c.pk).status for c in stored] == [
        "approved",
        "approved",
        "pending",
        "spam",
    ]
    assert stored_count(article) == 2


def test_each_imported_comment_has_its_decision_in_the_log(article, moderator):
    first, second = row(article), row(article, status=Comment.Status.REJECTED)

    services.comment_bulk_create(comments=[first, second], actor=moderator)

    entries = AuditEntry.objects.order_by("comment_id")
    assert [
        (entry.comment_id, entry.action, entry.rule, entry.to_status, entry.who)
        for entry in entries
    ] == [
        (first.pk, "decided", "import", "approved", "moderator"),
        (second.pk, "decided", "import", "rejected", "moderator"),
    ]
    assert {entry.commenter_email for entry in entries} == {"hannah@example.org"}


def test_a_reply_may_answer_a_stored_comment(article):
    earlier = CommentFactory(article=article)

    (reply,) = services.comment_bulk_create(
        comments=[row(article, parent=earlier)], via=VIA
    )

    reply.refresh_from_db()
    assert (reply.depth, reply.root_id, reply.parent_id) == (2, earlier.pk, earlier.pk)
    assert stored_count(article) == 2


def test_a_reply_deeper_than_the_site_allows_joins_the_deepest_level(article, settings):
    settings.NEWSROOM_COMMENTS_MAX_DEPTH = 2
    top = row(article)
    middle = row(article, parent=top)
    deep = row(article, parent=middle)

    services.comment_bulk_create(comments=[top, middle, deep], via=VIA)

    deep.refresh_from_db()
    assert (deep.depth, deep.parent_id, deep.root_id) == (2, top.pk, top.pk)


def test_an_import_sends_no_mail_and_purges_once_after_commit(
    article, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article, notify_replies=True)
    other = ArticleFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.comment_bulk_create(
            comments=[
                row(article, parent=parent),
                row(article, status=Comment.Status.PENDING),
                row(other),
            ],
            via=VIA,
        )

    assert len(callbacks) == 1  # one purge for both articles; no mail
    assert mail.outbox == []
    assert (stored_count(article), stored_count(other)) == (2, 1)


def test_an_imported_comment_shows_on_the_cached_page(
    client, article, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE = True
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_bulk_create(
            comments=[row(article, body="Imported words")], via=VIA
        )

    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Imported words" in response.content.decode()


def test_an_import_costs_a_query_per_batch_of_rows_not_per_row(
    article, django_assert_max_num_queries
):
    tops = [row(article) for _ in range(200)]
    replies = [row(article, parent=top) for top in tops]

    # SQLite takes at most 999 values a statement: about 50 rows an INSERT.
    with django_assert_max_num_queries(20):
        services.comment_bulk_create(comments=tops + replies, via=VIA)

    assert stored_count(article) == 400
    assert AuditEntry.objects.count() == 400


# Bad input: the exact error, and nothing written -------------------------------


def test_a_reply_to_a_stored_comment_on_another_article_is_refused(article):
    elsewhere = CommentFactory(article=ArticleFactory())

    with pytest.raises(ValidationError) as refused:
        services.comment_bulk_create(
            comments=[row(article), row(article, parent=elsewhere)], via=VIA
        )

    assert refused.value.messages == [
        "Row 2: it replies to a comment on another article."
    ]
    assert Comment.objects.filter(article=article).count() == 0
    assert not AuditEntry.objects.exists()
    assert stored_count(article) == 0


def test_a_reply_to_a_comment_of_another_article_in_the_batch_is_refused(article):
    other = ArticleFactory()
    top = row(other)

    with pytest.raises(ValidationError) as refused:
        services.comment_bulk_create(comments=[top, row(article, parent=top)], via=VIA)

    assert refused.value.messages == [
        "Row 2: it replies to a comment on another article."
    ]
    assert nothing_written(article)
    assert stored_count(other) == 0


def test_a_reply_before_its_parent_is_refused(article):
    top = row(article)

    with pytest.raises(ValidationError) as refused:
        services.comment_bulk_create(comments=[row(article, parent=top), top], via=VIA)

    assert refused.value.messages == [
        "Row 1: it replies to a comment that is neither stored nor earlier in "
        "the batch (parents come first)."
    ]
    assert nothing_written(article)


def test_every_bad_row_is_named_at_once(article):
    stored = CommentFactory(article=article)
    rows = [
        row(article),
        row(article, status="published"),
        row(article, author_email="not an address", body=""),
        stored,
        row(article, parent_id=999_999),
    ]

    with pytest.raises(ValidationError) as refused:
        services.comment_bulk_create(comments=rows, via=VIA)

    assert refused.value.messages == [
        "Row 2: status: Value 'published' is not a valid choice.",
        "Row 3: author_email: Enter a valid email address.",
        "Row 3: body: This field cannot be blank.",
        "Row 4: this comment is already stored.",
        "Row 5: it replies to comment 999999, which does not exist.",
    ]
    assert nothing_written(article, comments_before=1)


def test_a_failure_part_way_leaves_nothing_behind(article, monkeypatch):
    def broken(*article_ids):
        raise RuntimeError("database went away")

    monkeypatch.setattr(counts, "recount", broken)

    with pytest.raises(RuntimeError):
        services.comment_bulk_create(
            comments=[row(article), row(article, body="Second.")], via=VIA
        )

    assert nothing_written(article)


def test_an_empty_batch_does_nothing(article, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.comment_bulk_create(comments=[], via=VIA) == []
