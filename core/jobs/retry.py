"""How often a failed job is tried again, and how long to wait in between."""

from datetime import timedelta

from django.conf import settings

# However many attempts, one retry never waits longer than this.
MAX_DELAY = timedelta(hours=1)


def max_attempts() -> int:
    """Attempts in all, the first included (1: never retry)."""
    return max(1, settings.NEWSROOM_JOBS_MAX_ATTEMPTS)


def delay(attempt: int) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, …): the base
    delay, doubled after each failure, so a mail server that is down for an
    hour is not hammered, and one that hiccups is retried soon."""
    base = timedelta(seconds=settings.NEWSROOM_JOBS_RETRY_SECONDS)
    return min(base * 2 ** max(0, attempt - 1), MAX_DELAY)
