"""Redis away: pages are still served, comments are still taken, and the
rate limit that cannot be checked holds comments for a moderator.

The cache here is the production backend pointed at a port where nothing
listens; the rest of the suite runs on the local-memory cache.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from bench.server import free_port
from comments import ratelimit
from comments.models import AuditEntry, Comment, ModerationWord
from tests.comments.conftest import comment_data
from tests.factories import ArticleFactory, BanFactory, CommentFactory

pytestmark = pytest.mark.django_db

HELD_REASON = "The rate limit could not be checked (cache unavailable)."


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "caching.backend.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.NEWSROOM_PAGE_CACHE = True
    assert cache.get("anything", "miss") == "miss"
    assert not cache.available


@pytest.fixture
def article(db):
    return ArticleFactory(headline="UK Considers Security Treaty with Japan")


@pytest.fixture
def trusting(db):
    from comments.models import ModerationSettings

    config = ModerationSettings.load()
    config.trusted_after_approved = 0
    config.save()
    return config


def post(client, article, ip="198.51.100.7", **overrides):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(**overrides),
        REMOTE_ADDR=ip,
    )


def test_the_rate_limit_cannot_decide_and_says_so(cache_down):
    verdict = ratelimit.check_all([(ratelimit.Limit("post-ip", 1, 15), "reader")])
    assert verdict.undecided
    assert not verdict.allowed
    assert verdict.retry_after == 0


def test_a_comment_that_would_be_approved_is_held_for_a_moderator(
    client, article, trusting, cache_down
):
    response = post(client, article)

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert comment.status == Comment.Status.PENDING
    assert (comment.moderation_rule, comment.moderation_reason) == (
        "rate-limit",
        HELD_REASON,
    )
    entry = AuditEntry.objects.get(comment_id=comment.pk)
    assert (entry.action, entry.rule, entry.to_status, entry.reason) == (
        AuditEntry.Action.DECIDED,
        "rate-limit",
        "pending",
        HELD_REASON,
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="#comments">0 comments</a>' in page


def test_a_second_post_from_the_same_reader_is_held_too_not_refused(
    client, article, trusting, cache_down
):
    first = post(client, article)
    second = post(client, article, body="And a second thought on the treaty.")

    assert (first.status_code, second.status_code) == (303, 303)
    assert list(Comment.objects.values_list("status", flat=True)) == [
        "pending",
        "pending",
    ]


def test_the_rules_after_the_rate_limit_still_decide(
    client, article, trusting, cache_down
):
    ModerationWord.objects.create(word="casino", kind=ModerationWord.Kind.DISALLOWED)
    BanFactory(kind="email", value="banned@example.org")

    post(client, article, body="Visit my casino today.")
    post(client, article, email="banned@example.org", body="Let me in.")

    statuses = dict(Comment.objects.values_list("author_email", "status"))
    assert statuses == {"hannah@example.org": "spam", "banned@example.org": "rejected"}


def test_a_duplicate_is_still_refused_from_the_database(
    client, article, trusting, cache_down
):
    CommentFactory(
        article=article,
        author_email="hannah@example.org",
        body="Is there any sign of a mutual defence clause?",
    )

    response = post(client, article)

    assert response.status_code == 409
    assert "already posted here" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_refusal_is_still_a_refusal(client, article, cache_down):
    article.allow_comments = False
    article.save()

    response = post(client, article)

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_public_pages_are_served_live(client, article, cache_down):
    CommentFactory(article=article, body="Approved and shown.")
    urls = (
        article.get_absolute_url(),
        reverse("articles:front-page"),
        reverse("comments:discussion", args=[article.pk]),
        reverse("comments:reader-state", args=[article.pk]),
    )
    for _twice in range(2):  # nothing was stored, so never a hit
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.get("X-Page-Cache") != "hit", url
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Approved and shown." in page
    assert '<a href="#comments">1 comment</a>' in page
