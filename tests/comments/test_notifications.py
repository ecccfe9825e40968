"""Moderators hear that comments wait; commenters hear only of approved replies."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests.comments.conftest import comment_data
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def post(client, article, ip, **overrides):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(**overrides),
        REMOTE_ADDR=ip,
    )


def test_moderators_hear_once_per_interval_that_comments_wait(
    client, article, config, moderator, django_capture_on_commit_callbacks, settings
):
    UserFactory(username="editor2", groups=["Editors"])
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, "198.51.100.1")
        post(client, article, "198.51.100.2", email="sam@example.org")

    assert Comment.objects.filter(status="pending").count() == 2
    [message] = mail.outbox
    assert message.to == [moderator.email]
    assert message.subject == "The Newsroom: 2 comments need a moderator"
    assert settings.NEWSROOM_SITE_URL + "/admin/comments/comment/" in message.body


def test_moderators_can_turn_the_email_off(
    client, article, config, moderator, django_capture_on_commit_callbacks
):
    config.notify_moderators = False
    config.save()

    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, "198.51.100.1")

    assert mail.outbox == []


def test_an_approved_comment_sends_no_email(
    client, article, trusting, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, "198.51.100.1", notify_replies="on")

    assert mail.outbox == []


@pytest.mark.parametrize(
    ("opted_in", "reply_email", "emails"),
    [
        (True, "sam@example.org", 1),
        (False, "sam@example.org", 0),
        (True, "hannah@example.org", 0),  # answering oneself
    ],
)
def test_a_reply_emails_its_parents_author_only_if_asked(
    client,
    article,
    trusting,
    django_capture_on_commit_callbacks,
    opted_in,
    reply_email,
    emails,
):
    parent = CommentFactory(
        article=article,
        author_name="Hannah M.",
        author_email="hannah@example.org",
        notify_replies=opted_in,
    )
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            article,
            "198.51.100.1",
            parent=str(parent.pk),
            email=reply_email,
            name="Sam",
            body="Good question.",
        )

    assert len(mail.outbox) == emails
    if emails:
        reply = Comment.objects.get(parent=parent)
        message = mail.outbox[0]
        assert message.to == ["hannah@example.org"]
        assert message.subject == f"Sam replied to your comment on “{article.headline}”"
        assert "Good question." in message.body
        assert f"{article.get_absolute_url()}#comment-{reply.pk}" in message.body


def test_a_held_reply_emails_nobody_until_approved(
    client, article, config, moderator, django_capture_on_commit_callbacks
):
    config.notify_moderators = False
    config.save()
    parent = CommentFactory(article=article, notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, "198.51.100.1", parent=str(parent.pk))
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(
            comment=Comment.objects.get(parent=parent), actor=moderator
        )

    assert [m.to for m in mail.outbox] == [[parent.author_email]]


def test_the_unsubscribe_link_asks_then_stops_every_reply_email(
    client, article, trusting, django_capture_on_commit_callbacks
):
    parent = CommentFactory(
        article=article, author_email="hannah@example.org", notify_replies=True
    )
    other = CommentFactory(author_email="hannah@example.org", notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            article,
            "198.51.100.1",
            parent=str(parent.pk),
            email="sam@example.org",
        )
    link = re.search(
        r"http://\S+/comments/unsubscribe/\S+/", mail.outbox[0].body
    ).group()
    path = link.split("8000", 1)[1]

    asked = client.get(path)
    parent.refresh_from_db()
    assert parent.notify_replies is True
    assert "Stop reply emails" in asked.content.decode()

    done = client.post(path)

    assert "we will not email you about replies any more" in done.content.decode()
    parent.refresh_from_db()
    other.refresh_from_db()
    assert (parent.notify_replies, other.notify_replies) == (False, False)


def test_a_forged_unsubscribe_link_is_404(client):
    assert client.get("/comments/unsubscribe/123:forged/").status_code == 404
