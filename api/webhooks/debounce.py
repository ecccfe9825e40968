"""
``article.updated`` once per window: the edits of a published piece within
``WEBHOOKS_UPDATE_WINDOW`` seconds of the first one make one delivery, built
when the window closes, so it carries the piece as it is then. An editor who
saves five times in a minute sends partners one update, not five.

The window is a row (``WebhookHeldEvent``, one per piece) and a job queued
for its end, both in the database: any process may open or join a window, and
a worker that restarts loses nothing. Only ``article.updated`` waits;
published, corrected and withdrawn go at once, since each is news.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import WebhookHeldEvent

HELD_EVENTS = frozenset({"article.updated"})


def holds(event: str) -> bool:
    return event in HELD_EVENTS and settings.WEBHOOKS_UPDATE_WINDOW > 0


def event_hold(*, event: str, object_id: int, at: datetime) -> datetime | None:
    """Join the window open for this event of this object, or open one.
    Returns when the new window closes (its job is the caller's to queue), or
    None when the change joined a window whose job is already queued."""
    window = timedelta(seconds=settings.WEBHOOKS_UPDATE_WINDOW)
    now = timezone.now()
    held = WebhookHeldEvent.objects.filter(event=event, object_id=object_id)
    # A window that closed a whole window ago and is still here lost its job
    # (a worker's queue that dropped it): that one is opened afresh instead.
    if held.filter(due_at__gt=now - window).update(
        last_at=at, changes=F("changes") + 1
    ):
        return None
    due = now + window
    WebhookHeldEvent.objects.update_or_create(
        event=event,
        object_id=object_id,
        defaults={"due_at": due, "last_at": at, "changes": 1},
    )
    return due


def held_take(*, event: str, object_id: int) -> datetime | None:
    """Close the window if its time has come: the time of the latest change
    it holds, or None when there is nothing to send (a duplicate job, or the
    window was opened again for later). The row goes before the payload is
    built, so every change made before is in it and any change after opens a
    new window."""
    with transaction.atomic():
        row = (
            WebhookHeldEvent.objects.select_for_update()
            .filter(event=event, object_id=object_id, due_at__lte=timezone.now())
            .first()
        )
        if row is None:
            return None
        row.delete()
    return row.last_at
