"""Webhooks in the admin: superusers manage subscriptions (editors may not),
the form refuses a private address, and every page opens with a delivery and
its attempts in it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from api.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def delivery():
    subscription = WebhookSubscription.objects.create(
        name="Partner",
        url="https://93.184.215.14/hook",
        events=["article.published"],
        secret="whsec_" + "A" * 32,
    )
    made = WebhookDelivery.objects.create(
        subscription=subscription,
        message_id="msg_1",
        event="article.published",
        body="{}",
        status=WebhookDelivery.Status.DELIVERED,
        attempts=1,
    )
    WebhookAttempt.objects.create(
        delivery=made,
        number=1,
        started_at=timezone.now(),
        latency_ms=12,
        response_code=200,
    )
    return made


def test_a_superuser_adds_a_subscription_and_gets_a_secret(root, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = root.post(
        reverse("admin:api_webhooksubscription_add"),
        {
            "name": "Mobile app",
            "url": "https://93.184.215.14/hook",
            "events": ["article.published", "article.withdrawn"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    made = WebhookSubscription.objects.get()
    assert made.secret.startswith("whsec_")
    assert made.events == ["article.published", "article.withdrawn"]
    page = root.get(reverse("admin:api_webhooksubscription_change", args=[made.pk]))
    assert made.secret in page.content.decode()


def test_the_form_refuses_a_private_address_with_the_reason(root, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = root.post(
        reverse("admin:api_webhooksubscription_add"),
        {
            "name": "Inside",
            "url": "http://169.254.169.254/",
            "events": ["article.published"],
        },
    )
    assert response.status_code == 200
    assert "private or reserved" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_every_webhook_page_opens(root, delivery):
    for url in (
        reverse("admin:api_webhooksubscription_changelist"),
        reverse("admin:api_webhooksubscription_add"),
        reverse(
            "admin:api_webhooksubscription_change", args=[delivery.subscription_id]
        ),
        reverse("admin:api_webhookdelivery_changelist"),
        reverse("admin:api_webhookdelivery_change", args=[delivery.pk]),
    ):
        assert root.get(url).status_code == 200, url
    log = root.get(reverse("admin:api_webhookdelivery_change", args=[delivery.pk]))
    assert "12" in log.content.decode()


def test_an_editor_may_not_manage_subscriptions(client, editor, delivery):
    client.force_login(editor)
    assert (
        client.get(reverse("admin:api_webhooksubscription_changelist")).status_code
        == 403
    )


def test_a_subscription_failing_for_days_is_switched_off(delivery, settings):
    from datetime import timedelta

    from api.webhooks.attempts import _failed_for_good

    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 100
    settings.WEBHOOKS_DISABLE_AFTER_DAYS = 5
    subscription = delivery.subscription
    _failed_for_good(subscription.pk, delivery, delivery.created_at)
    subscription.refresh_from_db()
    assert subscription.is_active
    _failed_for_good(subscription.pk, delivery, delivery.created_at + timedelta(days=5))
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_at is not None
