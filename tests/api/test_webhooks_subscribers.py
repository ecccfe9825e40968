"""An event that no active subscription wants costs the write that raised it
one shared-cache read and no query, and queues no job; the answer is
forgotten when a subscription is saved, switched off or deleted, so a new
subscriber hears the next event."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from api.webhooks import receivers, services, subscribers
from api.webhooks.models import WebhookSubscription
from api.webhooks.subscribers import CACHE_KEY, subscribed_events
from articles.models import Article
from articles.services import transitions
from comments import signals as comment_signals
from comments.models import Comment
from tests.api.conftest import reader_posts
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue(settings):
    """Jobs wait in the database queue, where the tests can count them; no
    job runs, so nothing is sent to the (loopback) address."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def subscribe(events):
    return services.webhook_subscription_save(
        subscription=WebhookSubscription(
            name="Partner", url="http://127.0.0.1:9/hook", events=list(events)
        )
    )


def post(article, n):
    comment = reader_posts(article, n)
    assert comment.status == Comment.Status.APPROVED
    return comment


def cache_reads():
    """The webhooks' shared cache, counting what is asked of it."""
    return mock.patch.object(subscribers, "cache", mock.Mock(wraps=cache))


def test_with_no_subscriber_an_approval_at_posting_costs_no_query_and_one_cache_read(
    trusting, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post(article, 1)  # the moderation settings, the cache's answer: warm
    assert subscribed_events() == frozenset()

    comment_signals.comment_approved.disconnect(
        dispatch_uid="webhooks:comment.approved"
    )
    try:
        with (
            CaptureQueriesContext(connection) as unheard,
            django_capture_on_commit_callbacks(execute=True),
        ):
            post(article, 2)
    finally:
        receivers.connect()
    with (  # the cache counted outermost: on-commit work runs as the others end
        cache_reads() as webhooks_cache,
        CaptureQueriesContext(connection) as heard,
        django_capture_on_commit_callbacks(execute=True),
    ):
        post(article, 3)

    assert len(heard.captured_queries) == len(unheard.captured_queries)
    assert webhooks_cache.mock_calls == [mock.call.get(CACHE_KEY)]
    assert not DBTaskResult.objects.filter(task_path__contains="webhook").exists()


def test_a_subscriber_to_comment_approved_hears_an_approval_at_posting(
    trusting, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(["comment.approved"])
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(article, 1)

    (job,) = DBTaskResult.objects.filter(task_path__endswith="webhook_fan_out")
    assert job.args_kwargs["args"][:2] == ["comment.approved", comment.pk]


def test_an_event_nobody_wants_queues_no_job(
    editor, django_capture_on_commit_callbacks
):
    piece = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.article_publish(article=piece, user=editor)
    assert DBTaskResult.objects.count() == 0


def test_a_new_subscription_hears_the_next_event(
    editor, django_capture_on_commit_callbacks
):
    assert subscribed_events() == frozenset()  # "nobody" is now in the cache
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(["article.published"])
    assert subscribed_events() == {"article.published"}

    piece = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.article_publish(article=piece, user=editor)
    assert DBTaskResult.objects.filter(task_path__endswith="webhook_fan_out").exists()


def test_a_switched_off_or_deleted_subscription_is_forgotten(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = subscribe(["article.published"])
        second = subscribe(["article.withdrawn", "comment.approved"])
    assert subscribed_events() == {
        "article.published",
        "article.withdrawn",
        "comment.approved",
    }

    second.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_subscription_save(subscription=second)
    assert subscribed_events() == {"article.published"}

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:api_webhooksubscription_delete", args=[first.pk]),
            {"post": "yes"},
        )
    assert response.status_code == 302
    assert not WebhookSubscription.objects.filter(pk=first.pk).exists()
    assert subscribed_events() == frozenset()
