"""The stored public comment count: exact with every decision, repairable."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from articles.models import Article
from comments import services
from comments.models import Comment, ModerationSettings
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def stored(article) -> int:
    return Article.objects.values_list("comment_count", flat=True).get(pk=article.pk)


def true_count(article) -> int:
    return Comment.objects.public().filter(article=article).count()


def test_an_approved_post_counts_and_a_held_one_does_not(
    article, trusting, save_policy
):
    services.comment_create(
        article=article, name="Ama", email="ama@example.org", body="First."
    )
    assert stored(article) == 1

    trusting.trusted_after_approved = 5
    save_policy(trusting)
    outcome = services.comment_create(
        article=article, name="Ben", email="ben@example.org", body="Second."
    )

    assert outcome.comment.status == "pending"
    assert stored(article) == true_count(article) == 1


def test_every_decision_moves_the_count_with_the_rows(article, moderator):
    held = CommentFactory(article=article, status="pending")
    kept = CommentFactory(article=article)
    assert stored(article) == 1

    services.comment_approve(comment=held, actor=moderator)
    assert stored(article) == 2
    services.comment_reject(comment=held, actor=moderator)
    assert stored(article) == 1
    services.comment_mark_spam(comment=kept, actor=moderator)
    assert stored(article) == 0
    services.comment_approve(comment=kept, actor=moderator)
    assert stored(article) == true_count(article) == 1


def test_reports_that_hide_a_comment_take_it_out_of_the_count(article, moderator):
    comment = CommentFactory(article=article)
    config = ModerationSettings.load()
    config.report_threshold = 1
    config.save()

    outcome = services.comment_report(
        comment=comment, reason="abuse", reporter_key="reader-a"
    )

    assert outcome.hidden
    assert stored(article) == true_count(article) == 0
    services.comment_approve(comment=comment, actor=moderator)
    assert stored(article) == 1


def test_deleting_a_thread_removes_its_public_replies_from_the_count(
    article, moderator
):
    top = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=top)
    CommentFactory(article=article, parent=reply, status="pending")
    CommentFactory(article=article)
    assert stored(article) == 3

    services.comment_delete(comment=top, actor=moderator)

    assert stored(article) == true_count(article) == 1


def test_a_decision_rolled_back_leaves_the_count_as_it_was(article, moderator):
    held = CommentFactory(article=article, status="pending")

    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_approve(comment=held, actor=moderator)
        assert stored(article) == 1
        raise RuntimeError("the request failed after the decision")

    assert stored(article) == 0


def test_an_editor_saving_an_old_copy_does_not_write_back_its_count(article, moderator):
    copy = Article.objects.get(pk=article.pk)  # the editor opens the piece
    CommentFactory(article=article)  # a reader's comment is approved meanwhile

    copy.dek = "A new standfirst."
    copy.save()

    assert stored(article) == 1


def test_the_repair_command_finds_and_corrects_drift(article, capsys):
    CommentFactory.create_batch(3, article=article)
    Article.objects.filter(pk=article.pk).update(comment_count=7)  # an import

    with pytest.raises(CommandError, match="1 comment counts are wrong"):
        call_command("repair_comment_counts", "--check")
    assert stored(article) == 7
    assert f"article {article.pk}: stored 7, counted 3" in capsys.readouterr().out

    call_command("repair_comment_counts")

    assert stored(article) == 3
    assert "Corrected 1 comment counts." in capsys.readouterr().out
    call_command("repair_comment_counts", "--check")
    assert "Every comment count is right." in capsys.readouterr().out
