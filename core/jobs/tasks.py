"""The site-wide jobs. Start them through ``core.jobs.services``, after commit."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from . import housekeeping as old_rows
from . import runner


@task()
def run_callable(run_id: int) -> None:
    """One ``JobRun``: an import or other long work, with progress."""
    runner.run(run_id)


@task()
def housekeeping() -> None:
    """Delete the rows the site no longer needs (``core.jobs.housekeeping``)."""
    old_rows.prune()


def housekeeping_if_due() -> bool:
    """Queue ``housekeeping`` unless a worker already has this hour's slot in
    the shared cache (every worker's heartbeat asks). True if queued."""
    every = settings.NEWSROOM_JOBS_HOUSEKEEPING_SECONDS
    slot = old_rows.SLOT_KEY
    if every <= 0 or not cache.add(slot, timezone.now().isoformat(), every):
        return False
    housekeeping.enqueue()
    return True
