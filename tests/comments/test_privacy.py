"""A commenter's data: exported as JSON and erased, by command or in the admin."""

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.urls import reverse

from comments import services
from comments.models import AuditEntry, Ban, Comment, email_digest
from comments.rules import Submission, moderate
from tests.factories import BanFactory, CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hannah(article, moderator):
    first = CommentFactory(
        article=article,
        author_name="Hannah M.",
        author_email="hannah@example.org",
        body="My first comment.",
        ip_address="198.51.100.7",
        user_agent="Firefox",
        notify_replies=True,
        status="pending",
    )
    services.comment_approve(comment=first, actor=moderator, reason="Fine.")
    CommentFactory(
        article=article, author_email="other@example.org", body="Someone else."
    )
    BanFactory(kind="email", value="hannah@example.org", reason="Later trouble.")
    return first


def test_export_holds_everything_stored_about_the_address(hannah, article):
    data = services.commenter_export(email="Hannah@Example.org", via="test")

    assert data["email"] == "hannah@example.org"
    [comment] = data["comments"]
    assert comment["text"] == "My first comment."
    assert comment["name"] == "Hannah M."
    assert comment["ip_address"] == "198.51.100.7"
    assert comment["user_agent"] == "Firefox"
    assert comment["email_on_replies"] is True
    assert comment["article"] == {
        "id": article.pk,
        "headline": article.headline,
        "url": article.get_absolute_url(),
    }
    assert [b["reason"] for b in data["bans"]] == ["Later trouble."]
    assert [e["to_status"] for e in data["moderation_log"]] == ["approved"]
    assert "Someone else." not in json.dumps(data)
    exported = AuditEntry.objects.get(action="exported")
    assert exported.actor_name == "test"


def test_the_export_command_prints_or_writes_json(hannah, capsys, tmp_path):
    call_command("commenter_export", "hannah@example.org")
    printed = json.loads(capsys.readouterr().out)
    target = tmp_path / "hannah.json"
    call_command("commenter_export", "hannah@example.org", output=str(target))

    assert printed["comments"][0]["text"] == "My first comment."
    assert json.loads(target.read_text())["email"] == "hannah@example.org"


@pytest.mark.parametrize("command", ["commenter_export", "commenter_erase"])
def test_the_commands_refuse_something_that_is_not_an_address(command):
    with pytest.raises(CommandError, match="is not an email address"):
        call_command(command, "hannah", "--no-input" if "erase" in command else [])


def test_erase_anonymises_and_keeps_the_decisions_without_the_address(
    client, hannah, article
):
    call_command("commenter_erase", "HANNAH@example.org", "--no-input")

    hannah.refresh_from_db()
    assert (hannah.author_name, hannah.author_email, hannah.ip_address) == (
        "",
        "",
        None,
    )
    assert (hannah.user_agent, hannah.notify_replies) == ("", False)
    assert hannah.erased_at is not None
    assert hannah.body == "My first comment."
    assert hannah.status == "approved"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Former reader" in page
    assert "Hannah M." not in page
    # The decisions stay, without the address.
    moderated = AuditEntry.objects.get(action="moderated")
    assert (moderated.to_status, moderated.commenter_email) == ("approved", "")
    assert not AuditEntry.objects.filter(commenter_email__icontains="hannah").exists()
    erased = AuditEntry.objects.get(action="erased")
    assert "hannah" not in erased.reason
    assert erased.actor_name == "manage.py commenter_erase"
    # Someone else's data is untouched.
    assert Comment.objects.filter(author_email="other@example.org").exists()
    # Nothing left to export.
    assert services.commenter_export(email="hannah@example.org")["comments"] == []


def test_an_erased_readers_ban_still_holds(hannah, article, config):
    services.commenter_erase(email="hannah@example.org")

    ban = Ban.objects.get()
    assert ban.value == email_digest("hannah@example.org")
    decision = moderate(
        Submission(
            article=article,
            name="H",
            email="hannah@example.org",
            body="Back again.",
            ip="203.0.113.4",
        ),
        config,
    )
    assert (decision.rule, decision.status) == ("ban", "rejected")


def test_erasing_asks_first(hannah, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("commenter_erase", "hannah@example.org")

    hannah.refresh_from_db()
    assert hannah.author_email == "hannah@example.org"


def test_the_admin_exports_the_selected_commenters(client, moderator, hannah):
    client.force_login(moderator)

    response = client.post(
        reverse("admin:comments_comment_changelist") + "?queue=all",
        {"action": "export_commenter_data", ACTION_CHECKBOX_NAME: [hannah.pk]},
    )

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    [data] = json.loads(response.content)
    assert data["comments"][0]["text"] == "My first comment."
    assert AuditEntry.objects.get(action="exported").actor == moderator


def test_the_admin_asks_before_erasing(client, moderator, hannah):
    client.force_login(moderator)
    url = reverse("admin:comments_comment_changelist") + "?queue=all"
    selected = {"action": "erase_commenter_data", ACTION_CHECKBOX_NAME: [hannah.pk]}

    asked = client.post(url, selected)
    hannah.refresh_from_db()
    assert hannah.author_email == "hannah@example.org"
    assert "hannah@example.org: 1 comment" in asked.content.decode()

    done = client.post(url, {**selected, "confirm_erase": "yes"}, follow=True)

    hannah.refresh_from_db()
    assert hannah.author_email == ""
    assert "Personal data of 1 commenter erased." in done.content.decode()
    assert AuditEntry.objects.get(action="erased").actor == moderator
