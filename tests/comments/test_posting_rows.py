"""A post's comment and audit entry are written by one plain INSERT each
(``articles.services.rows.rows_insert``), not the ORM's save: the rows must be
the ones save() wrote, its own fields filled."""

import pytest
from django.db import connection
from django.utils import timezone

from comments import services
from comments.models import AuditEntry, Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def _post(article, **fields):
    return services.comment_create(
        article=article,
        name="  Hannah M. ",
        email=" Hannah@Example.ORG ",
        body="  Is there a defence clause?  ",
        ip="198.51.100.7",
        user_agent="Firefox " * 100,
        **fields,
    )


def test_a_post_stores_every_column_save_would(article, trusting):
    before = timezone.now()

    outcome = _post(article)

    comment = Comment.objects.get()
    assert outcome.comment.pk == comment.pk
    assert outcome.comment._state.adding is False
    assert (comment.author_name, comment.author_email) == (
        "Hannah M.",
        "hannah@example.org",
    )
    assert comment.body == "Is there a defence clause?"
    assert (comment.depth, comment.root_id, comment.parent_id) == (1, None, None)
    assert (comment.status, comment.moderation_rule) == ("approved", "default")
    assert len(comment.user_agent) == 500
    assert before <= comment.created_at <= timezone.now()
    entry = AuditEntry.objects.get()
    assert (entry.comment_id, entry.article_id, entry.commenter_email) == (
        comment.pk,
        article.pk,
        "hannah@example.org",
    )
    assert (entry.action, entry.rule, entry.to_status) == (
        "decided",
        "default",
        "approved",
    )
    assert before <= entry.created_at <= timezone.now()


def test_a_reply_gets_its_depth_and_thread_from_its_parent(article, trusting):
    top = CommentFactory(article=article, status="approved")
    reply = CommentFactory(article=article, status="approved", parent=top)

    comment = _post(article, parent=reply).comment

    comment.refresh_from_db()
    assert (comment.parent_id, comment.depth, comment.root_id) == (reply.pk, 3, top.pk)


def test_a_reply_to_an_unsaved_comment_stores_nothing(article, trusting):
    with pytest.raises(ValueError, match="not saved"):
        _post(article, parent=Comment(article=article, body="never stored"))

    assert not Comment.objects.exists()
    assert not AuditEntry.objects.filter(action="decided").exists()


def test_an_approved_post_is_counted_once_and_a_held_one_not(
    article, trusting, save_policy
):
    approved = _post(article).comment
    trusting.trusted_after_approved = 1
    save_policy(trusting)
    held = services.comment_create(
        article=article, name="Ann", email="ann@example.org", body="Held?", ip=None
    ).comment

    article.refresh_from_db()
    assert (approved.status, held.status) == ("approved", "pending")
    assert article.comment_count == 1
    assert AuditEntry.objects.filter(comment_id=held.pk, to_status="pending").exists()


def test_on_postgresql_the_rows_and_the_count_are_one_statement(
    article, trusting, django_assert_num_queries
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no writes in WITH: three statements there")
    services.comment_create(  # reads the policy into the cache
        article=article, name="Ann", email="ann@example.org", body="First.", ip=None
    )

    # The commenter's record, then a savepoint, the rows and its release.
    with django_assert_num_queries(4) as captured:
        _post(article)

    (written,) = [q["sql"] for q in captured if "INSERT" in q["sql"]]
    assert written.startswith("WITH new AS (INSERT INTO")
    assert "comment_count" in written
