"""A moderator's decisions, through the services: status, reports, audit log."""

import pytest
from django.core import mail

from comments import services
from comments.models import AuditEntry, Ban, Comment, Report
from tests.factories import CommentFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_user(moderator):
    return moderator


@pytest.mark.parametrize(
    ("service", "status"),
    [
        (services.comment_approve, "approved"),
        (services.comment_reject, "rejected"),
        (services.comment_mark_spam, "spam"),
    ],
)
def test_each_decision_changes_the_status_and_is_logged(
    moderator_user, service, status
):
    comment = CommentFactory(status="pending")

    changed = service(comment=comment, actor=moderator_user, reason="Checked.")

    comment.refresh_from_db()
    assert changed is True
    assert comment.status == status
    assert comment.reviewed_by == moderator_user
    entry = AuditEntry.objects.get(comment_id=comment.pk, action="moderated")
    assert (entry.from_status, entry.to_status, entry.reason) == (
        "pending",
        status,
        "Checked.",
    )
    assert (entry.actor, entry.actor_name) == (moderator_user, "moderator")
    assert entry.article_id == comment.article_id
    assert entry.commenter_email == comment.author_email


def test_deciding_what_is_already_decided_changes_and_logs_nothing(moderator_user):
    comment = CommentFactory(status="approved")

    assert services.comment_approve(comment=comment, actor=moderator_user) is False
    assert not AuditEntry.objects.exists()


def test_approving_a_reported_comment_restores_it_and_dismisses_the_reports(
    moderator_user,
):
    comment = CommentFactory(status="approved")
    ReportFactory(comment=comment)
    Comment.objects.filter(pk=comment.pk).update(hidden_at="2026-01-01T00:00Z")

    assert services.comment_approve(comment=comment, actor=moderator_user) is True

    comment.refresh_from_db()
    assert comment.is_public
    assert Comment.objects.public().filter(pk=comment.pk).exists()
    assert list(comment.reports.values_list("outcome", flat=True)) == ["dismissed"]
    entry = AuditEntry.objects.get()
    assert (entry.from_status, entry.to_status) == ("approved", "approved")


def test_rejecting_a_reported_comment_upholds_the_reports(moderator_user):
    comment = CommentFactory(status="approved")
    ReportFactory(comment=comment)
    ReportFactory(comment=comment, outcome="dismissed")

    services.comment_reject(comment=comment, actor=moderator_user)

    assert sorted(comment.reports.values_list("outcome", flat=True)) == [
        "dismissed",
        "upheld",
    ]


def test_an_unknown_status_is_refused(moderator_user):
    comment = CommentFactory()

    with pytest.raises(ValueError, match="Unknown comment status"):
        services.comment_set_status(
            comment=comment, status="published", actor=moderator_user
        )
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_editing_the_text_is_logged_with_the_reason(moderator_user):
    comment = CommentFactory(body="Call me on 07700 900123.")

    services.comment_edit(
        comment=comment,
        body="Call me on [number removed].",
        actor=moderator_user,
        reason="Phone number removed.",
    )

    comment.refresh_from_db()
    assert comment.body == "Call me on [number removed]."
    entry = AuditEntry.objects.get(action="edited")
    assert entry.reason == "Phone number removed."
    assert "07700" not in entry.reason


def test_deleting_logs_the_comment_and_its_replies_and_the_log_survives(
    moderator_user,
):
    top = CommentFactory()
    reply = CommentFactory(article=top.article, parent=top)
    deep = CommentFactory(article=top.article, parent=reply)

    deleted = services.comment_delete(
        comment=top, actor=moderator_user, reason="Legal advice."
    )

    assert deleted == 3
    assert not Comment.objects.exists()
    entries = AuditEntry.objects.filter(action="deleted").order_by("comment_id")
    assert [e.comment_id for e in entries] == [top.pk, reply.pk, deep.pk]
    assert entries[0].reason == "Legal advice."
    assert entries[1].reason == f"Reply under deleted comment {top.pk}."
    assert {e.article_id for e in entries} == {top.article_id}


def test_a_ban_rejects_the_commenters_waiting_comments(moderator_user):
    comment = CommentFactory(status="approved", ip_address="198.51.100.7")
    waiting = CommentFactory(author_email=comment.author_email, status="pending")
    other = CommentFactory(status="pending")

    outcome = services.commenter_ban(
        comment=comment, actor=moderator_user, reason="Spam run.", ban_ip=True
    )

    assert outcome.rejected == 1
    assert sorted((b.kind, b.value) for b in outcome.bans) == [
        ("email", comment.author_email),
        ("ip", "198.51.100.7"),
    ]
    waiting.refresh_from_db()
    other.refresh_from_db()
    comment.refresh_from_db()
    assert (waiting.status, other.status, comment.status) == (
        "rejected",
        "pending",
        "approved",
    )
    banned = AuditEntry.objects.filter(action="banned")
    assert banned.count() == 2
    assert all("Spam run." in entry.reason for entry in banned)


def test_banning_twice_makes_one_ban(moderator_user):
    comment = CommentFactory()

    services.commenter_ban(comment=comment, actor=moderator_user)
    services.commenter_ban(comment=comment, actor=moderator_user)

    assert Ban.objects.count() == 1
    assert AuditEntry.objects.filter(action="banned").count() == 1


def test_lifting_a_ban_is_logged(moderator_user):
    ban = Ban.objects.create(kind="ip", value="198.51.100.7")
    ban_id = ban.pk

    services.ban_lift(ban=ban, actor=moderator_user)

    assert not Ban.objects.exists()
    assert AuditEntry.objects.get().reason == f"Ban #{ban_id} lifted (ip address)."


def test_approving_a_reply_emails_a_parent_who_asked_once(
    moderator_user, django_capture_on_commit_callbacks
):
    parent = CommentFactory(notify_replies=True, author_email="hannah@example.org")
    reply = CommentFactory(
        article=parent.article,
        parent=parent,
        status="pending",
        author_name="Takeshi",
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=reply, actor=moderator_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reject(comment=reply, actor=moderator_user)
        services.comment_approve(comment=reply, actor=moderator_user)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hannah@example.org"]


def test_deciding_reports_feeds_the_reporters_record(moderator_user):
    reporter = "reader-key-x"
    for _ in range(2):
        comment = CommentFactory()
        ReportFactory(comment=comment, reporter_key=reporter)
        services.comment_reject(comment=comment, actor=moderator_user)

    assert services.reporter_weight(reporter) == 2
    assert Report.objects.filter(outcome="upheld").count() == 2


def test_a_deleted_moderator_stays_named_in_the_log():
    gone = UserFactory(username="former-mod")
    comment = CommentFactory(status="pending")
    services.comment_approve(comment=comment, actor=gone)

    gone.delete()

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_name, entry.who) == (
        None,
        "former-mod",
        "former-mod",
    )
