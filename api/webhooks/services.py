"""
The writes the rest of the site and the admin make on webhooks; each atomic,
its jobs queued when it commits.
"""

from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import debounce, signing, tasks
from .addresses import RefusedTarget, target_check
from .models import EVENTS, WebhookDelivery, WebhookSubscription
from .subscribers import subscribed_events, subscribed_events_forget


def webhook_event_raise(
    *, event: str, object_id: int, at: datetime, publish_at: datetime | None = None
) -> None:
    """Announce ``event`` to the subscribers; a piece scheduled for later is
    announced at its time, if it is still out then. An event no active
    subscription wants costs one cache read and nothing else; an
    ``article.updated`` waits for its window (``debounce``)."""
    if event not in dict(EVENTS):
        raise ValueError(f"Unknown webhook event {event!r}.")
    args = (event, object_id, at.isoformat(), publish_at and publish_at.isoformat())
    if publish_at is not None and publish_at > timezone.now():
        # Whoever subscribes before the piece goes out hears it: the job
        # looks the subscriptions up then.
        transaction.on_commit(
            lambda: tasks.later(tasks.webhook_fan_out, publish_at, *args), robust=True
        )
    elif event not in subscribed_events():
        return
    elif debounce.holds(event):
        transaction.on_commit(
            partial(tasks.held_queue, event, object_id, at), robust=True
        )
    else:
        transaction.on_commit(lambda: tasks.webhook_fan_out.enqueue(*args), robust=True)


@transaction.atomic
def webhook_subscription_save(
    *, subscription: WebhookSubscription
) -> WebhookSubscription:
    """Store a subscription whose URL may be called; a new one gets its
    secret, and one turned back on starts with a clean record."""
    try:
        target_check(subscription.url)
    except RefusedTarget as exc:
        raise ValidationError({"url": str(exc)}) from exc
    unknown = set(subscription.events) - set(dict(EVENTS))
    if unknown or not subscription.events:
        raise ValidationError({"events": _("Choose one or more of the events.")})
    if not subscription.secret:
        subscription.secret = signing.secret_new()
    if subscription.is_active:
        subscription.disabled_at = None
        subscription.disabled_reason = ""
        subscription.consecutive_failures = 0
        subscription.failing_since = None
    subscription.save()
    subscribed_events_forget()
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Remove a subscription with its delivery log."""
    subscription.delete()
    subscribed_events_forget()


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again from its first attempt, with the same id and
    body, so a receiver that already has it can tell."""
    if not delivery.subscription.is_active:
        raise ValidationError(
            _("“%(name)s” is switched off; turn it on before redelivering.")
            % {"name": delivery.subscription}
        )
    again = WebhookDelivery.objects.create(
        subscription=delivery.subscription,
        message_id=delivery.message_id,
        event=delivery.event,
        body=delivery.body,
    )
    tasks.deliveries_start([again])
    return again
