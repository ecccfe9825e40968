"""
The webhook jobs, run by the ``core.jobs`` worker. Failures are data here,
not exceptions: each attempt is its own job, queued for the time the
Standard Webhooks schedule says, so the generic retries (capped at an hour)
never apply; a job whose worker died is run again by the worker's recovery,
and ``attempts`` makes that harmless.
"""

import logging
from datetime import datetime
from functools import partial

from django.db import transaction
from django_tasks import task

from . import attempts, debounce, events

logger = logging.getLogger("api.webhooks")


def later(job, run_after, *args) -> None:
    """Queue ``job`` for ``run_after``; the in-request backend of a laptop
    without a worker cannot wait, so there it runs now and does not retry."""
    if job.get_backend().supports_defer:
        job.using(run_after=run_after).enqueue(*args)
    else:
        logger.warning("%s not queued for later: the job backend cannot wait", job.name)


def deliveries_start(deliveries) -> None:
    """Queue each delivery's first attempt when the transaction commits."""
    for delivery in deliveries:
        transaction.on_commit(
            partial(webhook_attempt.enqueue, delivery.pk, 1), robust=True
        )


def fan_out(event: str, object_id: int, at: str, publish_at: str | None = None) -> int:
    """Build the event's payload now and make a delivery per subscription."""
    data = events.data_build(
        event=event, object_id=object_id, at=at, publish_at=publish_at
    )
    if data is None:
        return 0
    with transaction.atomic():
        deliveries = events.deliveries_create(event=event, data=data, at=at)
        deliveries_start(deliveries)
    return len(deliveries)


@task()
def webhook_fan_out(
    event: str, object_id: int, at: str, publish_at: str | None = None
) -> int:
    """An event that goes at once (or at a scheduled piece's time)."""
    return fan_out(event, object_id, at, publish_at)


def held_queue(event: str, object_id: int, at: datetime) -> None:
    """Hold ``event`` in its window (``debounce``); the window's row and the
    job that closes it are written together."""
    if not webhook_held_send.get_backend().supports_defer:
        # The in-request backend of a laptop without a worker cannot wait.
        webhook_fan_out.enqueue(event, object_id, at.isoformat())
        return
    with transaction.atomic():
        due = debounce.event_hold(event=event, object_id=object_id, at=at)
        if due is not None:
            webhook_held_send.using(run_after=due).enqueue(event, object_id)


@task()
def webhook_held_send(event: str, object_id: int) -> int:
    """Close an event's window: one delivery with the object as it is now.
    One transaction, so a run that fails leaves the window for its retry."""
    with transaction.atomic():
        at = debounce.held_take(event=event, object_id=object_id)
        if at is None:
            return 0
        return fan_out(event, object_id, at.isoformat())


@task()
def webhook_attempt(delivery_id: int, number: int) -> None:
    following = attempts.attempt_run(delivery_id=delivery_id, number=number)
    if following is not None:
        later(webhook_attempt, following, delivery_id, number + 1)
