"""Which service calls announce which webhook event: once, after commit, and
never for a draft or a write that rolls back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from articles import signals as article_signals
from articles.models import Article
from articles.services import announcements_held, corrections, transitions
from articles.services.articles import article_update
from comments import signals as comment_signals
from comments.models import Comment
from comments.services.moderation import comment_approve
from tests.api.conftest import reader_posts
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

SIGNALS = {
    "article.published": article_signals.article_published,
    "article.updated": article_signals.article_updated,
    "article.corrected": article_signals.article_corrected,
    "article.withdrawn": article_signals.article_withdrawn,
    "comment.approved": comment_signals.comment_approved,
}


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    """Every signal sent, as (event, id), with on-commit work run."""
    sent = []

    def listen(event):
        def receiver(sender, **kwargs):
            # A comment event names its comment (it also carries its article).
            sent.append((event, kwargs.get("comment_id") or kwargs.get("article_id")))

        return receiver

    receivers = {event: listen(event) for event in SIGNALS}
    for event, signal in SIGNALS.items():
        signal.connect(receivers[event], weak=False)
    try:
        yield sent
    finally:
        for event, signal in SIGNALS.items():
            signal.disconnect(receivers[event])


def draft(**kwargs):
    return ArticleFactory(status=Article.Status.DRAFT, publish_at=None, **kwargs)


def test_publishing_announces_it_once_after_commit(
    editor, heard, django_capture_on_commit_callbacks
):
    piece = draft()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.article_publish(article=piece, user=editor)
    assert heard == [("article.published", piece.pk)]


def test_scheduling_announces_the_time_it_goes_live(
    editor, django_capture_on_commit_callbacks
):
    piece = draft()
    at = timezone.now() + timedelta(hours=2)
    got = []

    def receiver(sender, **kwargs):
        got.append(kwargs["publish_at"])

    article_signals.article_published.connect(receiver, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            transitions.article_schedule(article=piece, user=editor, publish_at=at)
    finally:
        article_signals.article_published.disconnect(receiver)
    assert got == [at]


def test_a_rolled_back_publication_announces_nothing(
    editor, heard, django_capture_on_commit_callbacks
):
    piece = draft()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            transitions.article_publish(article=piece, user=editor)
            raise RuntimeError("the rest of the request failed")
    assert heard == []
    assert callbacks == []


def test_editing_a_published_piece_announces_an_update(
    editor, heard, django_capture_on_commit_callbacks
):
    piece = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        article_update(
            article=piece,
            user=editor,
            expected_version=piece.version,
            fields={"dek": "A sharper standfirst"},
        )
    assert heard == [("article.updated", piece.pk)]


def test_editing_a_draft_announces_nothing(
    editor, heard, django_capture_on_commit_callbacks
):
    piece = draft(created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        article_update(
            article=piece,
            user=editor,
            expected_version=piece.version,
            fields={"dek": "Still a draft"},
        )
    assert heard == []


def test_a_correction_announces_it(editor, heard, django_capture_on_commit_callbacks):
    piece = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        corrections.correction_add(
            article=piece, kind="correction", text="Tuesday, not Monday.", user=editor
        )
    assert heard == [("article.corrected", piece.pk)]


def test_withdrawing_announces_it(editor, heard, django_capture_on_commit_callbacks):
    piece = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.article_withdraw(article=piece, user=editor, note="Legal advice")
    assert heard == [("article.withdrawn", piece.pk)]


def test_approving_a_held_comment_announces_it_once(
    moderator, heard, django_capture_on_commit_callbacks
):
    comment = CommentFactory(article=ArticleFactory(), status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, actor=moderator)
        comment_approve(comment=comment, actor=moderator)
    assert heard == [("comment.approved", comment.pk)]


def test_a_comment_approved_at_posting_announces_it_once(
    trusting, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = reader_posts(ArticleFactory())
    assert comment.status == Comment.Status.APPROVED
    assert heard == [("comment.approved", comment.pk)]


def test_a_comment_held_at_posting_announces_nothing(
    heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = reader_posts(ArticleFactory())  # a first-time commenter
    assert comment.status == Comment.Status.PENDING
    assert heard == []


def test_writes_inside_announcements_held_announce_nothing_and_after_it_again(
    editor, heard, django_capture_on_commit_callbacks
):
    held, later = draft(), draft()
    with django_capture_on_commit_callbacks(execute=True):
        with announcements_held():
            transitions.article_publish(article=held, user=editor)
            with announcements_held():  # blocks nest
                corrections.correction_add(
                    article=held, kind="correction", text="Tuesday.", user=editor
                )
            transitions.article_withdraw(article=held, user=editor, note="Legal")
        transitions.article_publish(article=later, user=editor)
    assert heard == [("article.published", later.pk)]


def test_announcements_held_also_works_as_a_decorator(
    editor, heard, django_capture_on_commit_callbacks
):
    @announcements_held()
    def import_quietly(piece):
        transitions.article_publish(article=piece, user=editor)

    pieces = [draft(), draft()]
    with django_capture_on_commit_callbacks(execute=True):
        for piece in pieces:
            import_quietly(piece)
    assert heard == []
