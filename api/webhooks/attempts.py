"""
One attempt of one delivery, and what follows from it: delivered, tried
again on the Standard Webhooks schedule (``WEBHOOKS_RETRY_SCHEDULE``), or
given up, which counts against the subscription until it is switched off.

An attempt is recorded at most once, even if a worker dies after the POST
and the job runs again (the conditional update on ``attempts``); a receiver
may then see the same ``webhook-id`` twice, which the spec expects it to drop.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sending
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .subscribers import subscribed_events_forget

FINISHED = (
    WebhookDelivery.Status.DELIVERED,
    WebhookDelivery.Status.FAILED,
    WebhookDelivery.Status.CANCELLED,
)


def _failed_for_good(subscription_id: int, delivery: WebhookDelivery, now) -> None:
    subscription = WebhookSubscription.objects.select_for_update().get(
        pk=subscription_id
    )
    subscription.consecutive_failures += 1
    subscription.failing_since = subscription.failing_since or delivery.created_at
    too_many = subscription.consecutive_failures >= max(
        1, settings.WEBHOOKS_DISABLE_AFTER_FAILURES
    )
    too_long = now - subscription.failing_since >= timedelta(
        days=settings.WEBHOOKS_DISABLE_AFTER_DAYS
    )
    if subscription.is_active and (too_many or too_long):
        subscription.is_active = False
        subscription.disabled_at = now
        subscription.disabled_reason = _(
            "%(count)d deliveries in a row failed every attempt (the last "
            "answer: %(answer)s)."
        ) % {
            "count": subscription.consecutive_failures,
            "answer": delivery.response_code or _("no answer"),
        }
    subscription.save()
    if not subscription.is_active:
        subscribed_events_forget()


def attempt_run(*, delivery_id: int, number: int) -> datetime | None:
    """Make attempt ``number`` of a delivery; when to try again, if at all."""
    delivery = (
        WebhookDelivery.objects.select_related("subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return None
    if delivery.attempts >= number:
        # Run again after its worker died: queue the next attempt again if
        # that is what the lost run did not get to (that job is guarded too).
        if (
            delivery.attempts == number
            and delivery.status == WebhookDelivery.Status.RETRYING
        ):
            return delivery.next_attempt_at
        return None
    if delivery.status in FINISHED:
        return None
    subscription = delivery.subscription
    if not subscription.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.CANCELLED,
            finished_at=timezone.now(),
            next_attempt_at=None,
        )
        return None
    started = timezone.now()
    # No transaction is held open across the receiver's answer.
    outcome = sending.post(
        url=subscription.url,
        secret=subscription.secret,
        message_id=delivery.message_id,
        body=delivery.body,
    )
    now = timezone.now()
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    following = None
    with transaction.atomic():
        if not WebhookDelivery.objects.filter(
            pk=delivery.pk, attempts=number - 1
        ).update(attempts=number):
            return None
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started,
            latency_ms=outcome.latency_ms,
            response_code=outcome.response_code,
            error=outcome.error,
        )
        delivery.response_code = outcome.response_code
        delivery.latency_ms = outcome.latency_ms
        delivery.attempts = number
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.finished_at = now
            WebhookSubscription.objects.filter(pk=subscription.pk).update(
                consecutive_failures=0, failing_since=None
            )
        elif number <= len(schedule):
            following = now + timedelta(seconds=schedule[number - 1])
            delivery.status = WebhookDelivery.Status.RETRYING
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.finished_at = now
            _failed_for_good(subscription.pk, delivery, now)
        delivery.next_attempt_at = following
        delivery.save(
            update_fields=[
                "response_code",
                "latency_ms",
                "attempts",
                "status",
                "finished_at",
                "next_attempt_at",
            ]
        )
    return following


def finished_deliveries(now: datetime):
    """The delivery log's rows that may go (``core.jobs.housekeeping``):
    finished more than ``WEBHOOKS_LOG_KEEP_DAYS`` ago, their attempts with
    them. A subscription's record (failures in a row, failing since) is kept
    on the subscription, so the switch-off rule loses nothing."""
    kept = timedelta(days=settings.WEBHOOKS_LOG_KEEP_DAYS)
    return WebhookDelivery.objects.filter(
        status__in=FINISHED, finished_at__lt=now - kept
    )
