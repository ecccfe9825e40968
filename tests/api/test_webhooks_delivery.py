"""Webhook deliveries through the job worker, to a receiver on loopback:
signed as Standard Webhooks says, retried on the schedule, logged, switched
off after sustained failure, and redelivered from the admin."""

import http.server
import itertools
import json
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from api.webhooks import services
from api.webhooks.models import WebhookDelivery, WebhookSubscription
from articles.models import Article
from articles.services import transitions
from comments.models import Comment
from comments.services.moderation import comment_approve
from core.roles import sync_groups
from tests.api.conftest import reader_posts
from tests.core.test_jobs import run_worker
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def queue(settings):
    sync_groups(apps)  # a transactional test flushes the groups
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.3, 0.6]  # 5 s, 5 min, … compressed


class Receiver(http.server.BaseHTTPRequestHandler):
    answers: list  # status codes to give, in turn; then 200
    calls: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        status = self.answers.pop(0) if self.answers else 200
        headers = {key.lower(): value for key, value in self.headers.items()}
        self.calls.append((time.monotonic(), headers, body, status))
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.answers, Receiver.calls = [], []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", Receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def subscribe(url, events=("article.published",), **kwargs):
    return services.webhook_subscription_save(
        subscription=WebhookSubscription(
            name="Partner", url=url, events=list(events), **kwargs
        )
    )


def work_until_done(seconds=10.0):
    """Run the worker until no delivery waits any more."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_worker()
        waiting = WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
        )
        if not waiting.exists() and WebhookDelivery.objects.exists():
            return
        time.sleep(0.05)


def test_a_receiver_that_fails_twice_gets_the_piece_once_on_the_third_attempt(
    receiver, editor
):
    url, handler = receiver
    handler.answers = [500, 500]
    subscription = subscribe(url)
    assert subscription.secret.startswith("whsec_")
    piece = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)

    transitions.article_publish(article=piece, user=editor)
    work_until_done()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3
    log = list(delivery.attempt_log.order_by("number"))
    assert [each.response_code for each in log] == [500, 500, 200]
    assert [status for *_, status in handler.calls] == [500, 500, 200]
    # One message: the same id every time, each attempt freshly signed.
    verifier = Webhook(subscription.secret)
    ids = set()
    for _, headers, body, _ in handler.calls:
        payload = verifier.verify(body, headers)
        ids.add(headers["webhook-id"])
    assert len(ids) == 1
    assert payload["type"] == "article.published"
    assert payload["data"]["id"] == piece.pk
    assert payload["data"]["headline"] == piece.headline
    # The waits follow the (compressed) schedule.
    gaps = [
        (later.started_at - earlier.started_at).total_seconds()
        for earlier, later in itertools.pairwise(log)
    ]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6
    print("\nWebhook delivery timeline (schedule compressed to 0.3 s, 0.6 s):")
    start = log[0].started_at
    for each in log:
        print(
            f"  attempt {each.number}:"
            f" +{(each.started_at - start).total_seconds():.2f} s"
            f"  {each.started_at:%H:%M:%S.%f}  answer {each.response_code}"
            f"  latency {each.latency_ms} ms  {each.error}"
        )
    print(f"  delivered once: {delivery.message_id}, status {delivery.status}")


def test_a_withdrawal_carries_only_the_id_the_address_and_the_time(receiver, editor):
    url, handler = receiver
    subscribe(url, events=["article.withdrawn"])
    piece = ArticleFactory()

    transitions.article_withdraw(article=piece, user=editor, note="Legal advice")
    work_until_done()

    ((_, _, body, _),) = handler.calls
    data = json.loads(body)["data"]
    assert set(data) == {"id", "url", "withdrawn_at"}
    assert data["id"] == piece.pk


def test_a_switched_off_subscription_gets_nothing(receiver, editor):
    url, handler = receiver
    subscribe(url, is_active=False)
    transitions.article_publish(
        article=ArticleFactory(status=Article.Status.DRAFT, publish_at=None),
        user=editor,
    )
    run_worker()
    assert handler.calls == []
    assert not WebhookDelivery.objects.exists()


def test_sustained_failure_switches_it_off_and_the_desk_says_so(
    receiver, editor, client, settings
):
    url, handler = receiver
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 2
    handler.answers = [503, 503]
    subscription = subscribe(url)
    for _ in range(2):
        transitions.article_publish(
            article=ArticleFactory(status=Article.Status.DRAFT, publish_at=None),
            user=editor,
        )
        work_until_done()

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert "2 deliveries in a row" in subscription.disabled_reason
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Webhooks switched off" in page
    assert "The webhook “Partner” was switched off" in page
    assert "Ask an administrator" in page


def test_the_admin_redelivers_with_the_same_id(receiver, client):
    url, handler = receiver
    subscription = subscribe(url)
    first = WebhookDelivery.objects.create(
        subscription=subscription,
        message_id="msg_fixed",
        event="article.published",
        body='{"type":"article.published"}',
        status=WebhookDelivery.Status.FAILED,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:api_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [first.pk]},
    )
    assert response.status_code == 302
    work_until_done()

    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert again.status == WebhookDelivery.Status.DELIVERED
    assert again.message_id == "msg_fixed"
    assert [h["webhook-id"] for _, h, _, _ in handler.calls] == ["msg_fixed"]


def test_a_redirect_is_not_followed(receiver, editor, settings):
    url, handler = receiver
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    handler.answers = [302]
    subscribe(url)
    transitions.article_publish(
        article=ArticleFactory(status=Article.Status.DRAFT, publish_at=None),
        user=editor,
    )
    work_until_done()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.response_code == 302
    assert len(handler.calls) == 1


def test_a_scheduled_piece_is_announced_at_its_time_not_before(receiver, editor):
    url, handler = receiver
    subscribe(url)
    piece = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    at = timezone.now() + timedelta(seconds=1.5)

    transitions.article_schedule(article=piece, user=editor, publish_at=at)
    run_worker()
    assert handler.calls == []  # not out yet
    time.sleep(max(0, (at - timezone.now()).total_seconds()) + 0.1)
    work_until_done()

    ((_, _, body, _),) = handler.calls
    assert json.loads(body)["data"]["id"] == piece.pk


def test_a_scheduled_piece_withdrawn_before_its_time_is_never_announced(
    receiver, editor
):
    url, handler = receiver
    subscribe(url, events=["article.published", "article.withdrawn"])
    piece = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    at = timezone.now() + timedelta(seconds=1)
    transitions.article_schedule(article=piece, user=editor, publish_at=at)
    transitions.article_unpublish(article=piece, user=editor, note="Held back")

    time.sleep(max(0, (at - timezone.now()).total_seconds()) + 0.1)
    run_worker()
    assert handler.calls == []
    assert not WebhookDelivery.objects.exists()


def test_an_approved_comment_is_sent_without_the_readers_email_or_address(
    receiver, moderator
):
    url, handler = receiver
    subscribe(url, events=["comment.approved"])
    comment = CommentFactory(
        article=ArticleFactory(),
        status=Comment.Status.PENDING,
        author_name="Reader One",
        author_email="one@reader.example",
        ip_address="203.0.113.9",
    )

    comment_approve(comment=comment, actor=moderator)
    work_until_done()

    ((_, _, body, _),) = handler.calls
    payload = json.loads(body)
    assert payload["type"] == "comment.approved"
    assert payload["data"]["comment"]["name"] == "Reader One"
    assert "one@reader.example" not in body and "203.0.113.9" not in body


def test_a_comment_approved_at_posting_reaches_a_subscriber(receiver, trusting):
    url, handler = receiver
    subscription = subscribe(url, events=["comment.approved"])

    comment = reader_posts(ArticleFactory(), 7)
    work_until_done()

    assert comment.status == Comment.Status.APPROVED
    ((_, headers, body, _),) = handler.calls
    payload = Webhook(subscription.secret).verify(body, headers)
    assert payload["type"] == "comment.approved"
    assert payload["data"]["comment"]["id"] == comment.pk
    assert "reader7@reader.example" not in body and "198.51.100.7" not in body
