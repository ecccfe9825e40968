"""
Rows the site no longer needs, deleted once an hour: finished jobs, expired
sessions, and what other apps register (the webhook delivery log). Without
it those tables only grow: every held comment, approved reply and webhook
attempt leaves a finished job row behind.

One worker does it: every worker's heartbeat asks
``tasks.housekeeping_if_due``, and the first to take the hour's slot in the
shared cache queues the ``housekeeping`` job, which then runs like any job
(retried if the database is away). ``manage.py housekeeping`` does the same
by hand, or from cron where no worker runs, with ``--dry-run`` to count only.

Rows go in batches of ``BATCH`` by primary key, so a first run on a big
site holds no long lock, and each pruner keeps what its app still needs:
jobs waiting, running or retrying are never touched.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("core.jobs")

BATCH = 1000
SLOT_KEY = "jobs:housekeeping"

# What each app gives: a name for the report, and a function from "now" to
# the rows that may go.
Pruner = Callable[[datetime], QuerySet]
_pruners: dict[str, Pruner] = {}


def register(name: str, rows: Pruner) -> None:
    """Add a kind of old row to the hour's round (from an AppConfig.ready)."""
    _pruners[name] = rows


def finished_jobs(now: datetime) -> QuerySet:
    kept = timedelta(days=settings.NEWSROOM_JOBS_KEEP_DAYS)
    failed_kept = timedelta(days=settings.NEWSROOM_JOBS_KEEP_FAILED_DAYS)
    done = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - kept
    )
    given_up = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - failed_kept
    )
    return done | given_up


def expired_sessions(now: datetime) -> QuerySet:
    """Only for database sessions; other engines expire their own."""
    engine = import_module(settings.SESSION_ENGINE)
    model = engine.SessionStore.get_model_class()  # AttributeError otherwise
    return model.objects.filter(expire_date__lt=now)


register("finished jobs", finished_jobs)
if settings.SESSION_ENGINE.endswith((".db", ".cached_db")):
    register("expired sessions", expired_sessions)


def _delete_in_batches(rows: QuerySet) -> int:
    model = rows.model
    deleted = 0
    while True:
        keys = list(rows.order_by().values_list("pk", flat=True)[:BATCH])
        if not keys:
            return deleted
        # Counted by the rows of that model, not the ones cascaded with them.
        deleted += (
            model.objects.filter(pk__in=keys).delete()[1].get(model._meta.label, 0)
        )


def prune(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete (or count) each registered kind of old row; how many of each."""
    now = now or timezone.now()
    report = {}
    for name, rows_for in _pruners.items():
        rows = rows_for(now)
        report[name] = rows.count() if dry_run else _delete_in_batches(rows)
    if not dry_run and any(report.values()):
        logger.info(
            "Housekeeping: deleted %s",
            ", ".join(f"{count} {name}" for name, count in report.items()),
        )
    return report
