"""The audit log: every decision, by a rule or a person, kept whatever happens."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import AuditEntry
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted():
    entry = AuditEntry.objects.create(action="decided", rule="default", reason="ok")

    entry.reason = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.update(reason="rewritten")
    assert AuditEntry.objects.get().reason == "ok"


def test_the_rules_decision_at_posting_is_logged(client, config):
    article = ArticleFactory()

    client.post(
        reverse("comments:post", args=[article.pk]),
        {"name": "Sam", "email": "sam@example.org", "body": "First time here."},
    )

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.rule, entry.to_status, entry.actor) == (
        "decided",
        "first-time",
        "pending",
        None,
    )
    assert entry.reason == "0 approved comments from this email so far; 1 needed."
    assert entry.who == "rule: first-time"


def test_the_log_outlives_the_comment_and_the_article(moderator):
    comment = CommentFactory(status="pending")
    services.comment_approve(comment=comment, actor=moderator)
    article_id = comment.article_id

    comment.article.delete()

    entry = AuditEntry.objects.get(action="moderated")
    assert (entry.comment_id, entry.article_id) == (comment.pk, article_id)


def test_a_flood_of_refusals_is_logged_once_a_minute(client, config):
    article = ArticleFactory()
    url = reverse("comments:post", args=[article.pk])
    for n in range(5):
        client.post(
            url, {"name": "Bot", "email": "bot@example.org", "body": f"Buy {n}"}
        )

    assert AuditEntry.objects.filter(action="refused").count() == 1
    assert AuditEntry.objects.filter(action="decided").count() == 1
