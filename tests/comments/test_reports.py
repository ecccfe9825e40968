"""Readers report comments: once each, weighed by their record, rate-limited;
at the threshold the comment leaves view until a moderator decides."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import AuditEntry, Comment, Report
from tests.factories import CommentFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def report(client, comment, ip, reason="abuse", **headers):
    return client.post(
        reverse("comments:report", args=[comment.pk]),
        {"reason": reason, "note": "Insults another reader."},
        REMOTE_ADDR=ip,
        headers=headers,
    )


@pytest.fixture
def comment(article):
    return CommentFactory(article=article, body="You are all fools.")


@pytest.mark.parametrize("status", ["draft", "review", "withdrawn"])
def test_the_thank_you_page_does_not_name_a_piece_readers_cannot_see(
    client, comment, status
):
    # A comment posted while the piece was out; the piece was taken back since.
    comment.article.status = status
    comment.article.save()

    response = client.get(reverse("comments:report", args=[comment.pk]) + "?sent=1")

    assert response.status_code == 404
    assert comment.article.headline not in response.content.decode()
    assert comment.article.slug not in response.content.decode()


def test_the_thank_you_page_stays_for_a_comment_that_left_view(client, comment):
    Comment.objects.filter(pk=comment.pk).update(hidden_at=comment.created_at)

    response = client.get(reverse("comments:report", args=[comment.pk]) + "?sent=1")

    assert response.status_code == 200
    assert "Thank you. A moderator will look at this comment." in (
        response.content.decode()
    )


def test_a_reader_reports_once(client, comment, config):
    first = report(client, comment, "198.51.100.1")
    second = report(client, comment, "198.51.100.1")

    assert first.status_code == 303
    assert (
        first["Location"] == reverse("comments:report", args=[comment.pk]) + "?sent=1"
    )
    assert (
        "Thank you. A moderator will look at this comment."
        in client.get(first["Location"]).content.decode()
    )
    assert "You have already reported this comment." in second.content.decode()
    stored = Report.objects.get()
    assert (stored.reason, stored.note, stored.weight) == (
        "abuse",
        "Insults another reader.",
        Decimal(1),
    )
    assert stored.reporter_key and stored.ip_hash
    assert "198.51.100.1" not in stored.ip_hash


def test_at_the_threshold_the_comment_leaves_view_and_the_count(
    client, article, comment, config, moderator, django_capture_on_commit_callbacks
):
    readers = [Client() for _ in range(3)]
    report(readers[0], comment, "198.51.100.1")
    report(readers[1], comment, "198.51.100.2")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "You are all fools." in page
    assert '<a href="#comments">1 comment</a>' in page

    with django_capture_on_commit_callbacks(execute=True):
        report(readers[2], comment, "198.51.100.3")

    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert comment.status == "approved"  # the contract's status is untouched
    page = client.get(article.get_absolute_url()).content.decode()
    assert "You are all fools." not in page
    assert '<a href="#comments">0 comments</a>' in page
    entry = AuditEntry.objects.get(action="hidden")
    assert (entry.rule, entry.comment_id) == ("reports", comment.pk)
    assert entry.reason == "Open reports weigh 3; the threshold is 3."
    assert [m.to for m in mail.outbox] == [[moderator.email]]


def test_a_readers_record_weighs_their_report(article, comment, config, moderator):
    trusted = "trusted-reader"
    for _ in range(2):
        earlier = CommentFactory()
        ReportFactory(comment=earlier, reporter_key=trusted)
        services.comment_reject(comment=earlier, actor=moderator)
    careless = "careless-reader"
    for _ in range(3):
        earlier = CommentFactory()
        ReportFactory(comment=earlier, reporter_key=careless)
        services.comment_approve(comment=earlier, actor=moderator)

    assert services.reporter_weight("new-reader") == Decimal(1)
    assert services.reporter_weight(trusted) == Decimal(2)
    assert services.reporter_weight(careless) == Decimal("0.25")

    services.comment_report(comment=comment, reason="abuse", reporter_key=trusted)
    assert comment.reports.get(reporter_key=trusted).weight == 2
    outcome = services.comment_report(comment=comment, reason="spam", reporter_key="n")

    assert outcome.hidden is True


def test_a_second_browser_at_the_same_address_weighs_nothing(comment, config):
    services.comment_report(
        comment=comment, reason="abuse", reporter_key="a", ip_hash="same"
    )
    second = services.comment_report(
        comment=comment, reason="abuse", reporter_key="b", ip_hash="same"
    )

    assert second.report.weight == 0
    assert Report.objects.count() == 2


def test_reports_are_rate_limited(article, config):
    config.reports_per_hour = 2
    config.save()
    reader = Client()
    comments = CommentFactory.create_batch(3, article=article)

    answers = [report(reader, c, "198.51.100.1") for c in comments]

    assert [a.status_code for a in answers] == [303, 303, 429]
    assert "You have sent many reports in a short time." in answers[2].content.decode()
    assert int(answers[2]["Retry-After"]) > 3000
    assert Report.objects.count() == 2


def test_approval_of_a_held_comment_does_not_shield_it_from_reports(
    comment, config, moderator
):
    held = CommentFactory(status="pending")
    services.comment_approve(comment=held, actor=moderator)

    for key in ("a", "b", "c"):
        outcome = services.comment_report(
            comment=held, reason="abuse", reporter_key=key
        )

    assert outcome.hidden is True


def test_a_comment_kept_up_despite_reports_stays_up_but_stays_listed(
    comment, config, moderator
):
    ReportFactory(comment=comment)
    services.comment_approve(comment=comment, actor=moderator)

    for key in ("a", "b", "c", "d"):
        outcome = services.comment_report(
            comment=comment, reason="abuse", reporter_key=key
        )

    assert outcome.hidden is False
    comment.refresh_from_db()
    assert comment.is_public
    assert Comment.objects.needs_attention().filter(pk=comment.pk).exists()


@pytest.mark.parametrize("status", ["pending", "rejected", "spam"])
def test_only_public_comments_can_be_reported(client, article, status):
    hidden = CommentFactory(article=article, status=status)

    assert client.get(reverse("comments:report", args=[hidden.pk])).status_code == 404
    assert report(client, hidden, "198.51.100.1").status_code == 404
    assert not Report.objects.exists()


def test_the_report_page_works_without_javascript(client, comment):
    page = client.get(reverse("comments:report", args=[comment.pk]))
    missing = client.post(reverse("comments:report", args=[comment.pk]), {})
    invalid = client.post(
        reverse("comments:report", args=[comment.pk]), {"reason": "boring"}
    )

    html = page.content.decode()
    assert "You are all fools." in html
    for value in ("spam", "abuse", "off_topic", "other"):
        assert f'value="{value}"' in html
    assert "Please choose a reason." in missing.content.decode()
    assert "Select a valid choice." in invalid.content.decode()
    assert not Report.objects.exists()


def test_the_page_script_gets_json(client, comment, config):
    answer = client.post(
        reverse("comments:report", args=[comment.pk]),
        {"reason": "spam"},
        headers={"Accept": "application/json"},
    )
    again = client.post(
        reverse("comments:report", args=[comment.pk]),
        {"reason": "spam"},
        headers={"Accept": "application/json"},
    )

    assert answer.json() == {
        "ok": True,
        "message": "Thank you. A moderator will look at this comment.",
        "hidden": False,
    }
    assert (
        again.json()["message"] == "You have already reported this comment. Thank you."
    )


def test_an_unknown_reason_is_refused_by_the_service(comment):
    with pytest.raises(ValueError, match="Unknown report reason"):
        services.comment_report(comment=comment, reason="boring", reporter_key="k")


def test_moderators_without_an_email_address_are_skipped(
    comment, config, django_capture_on_commit_callbacks
):
    UserFactory(username="quiet", email="", groups=["Moderators"])
    config.report_threshold = 1
    config.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_report(comment=comment, reason="abuse", reporter_key="k")

    assert mail.outbox == []
