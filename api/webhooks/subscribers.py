"""
Which events some active subscription wants, kept in the shared cache so
that an event nobody listens to costs the write that raised it one cache
read and no query (a reader's comment approved at posting is the busy case:
docs/api.md, "Events").

Every write of a subscription forgets the answer once it commits
(``subscribed_events_forget``, called by ``services`` and ``attempts``); the
next event reads the table again. A lookup that raced with such a write
could store the old answer after it was forgotten, so the answer also lives
no longer than ``LIFETIME``: the bound on how late a new subscription hears
its first event.
"""

from django.core.cache import cache
from django.db import transaction

from .models import WebhookSubscription

CACHE_KEY = "webhooks:subscribed-events:v1"
LIFETIME = 300


def subscribed_events() -> frozenset[str]:
    """The events at least one active subscription wants."""
    try:
        found = cache.get(CACHE_KEY)
    except Exception:  # no cache: ask the table, as on a miss
        found = None
    if found is None:
        found = frozenset(
            event
            for events in WebhookSubscription.objects.filter(
                is_active=True
            ).values_list("events", flat=True)
            for event in events
        )
        try:
            cache.set(CACHE_KEY, found, LIFETIME)
        except Exception:
            pass
    return found


def subscribed_events_forget() -> None:
    """A subscription was saved, switched off or deleted: read the table
    again on the next event, once this write is visible."""

    def forget():
        try:
            cache.delete(CACHE_KEY)
        except Exception:
            pass

    transaction.on_commit(forget, robust=True)
