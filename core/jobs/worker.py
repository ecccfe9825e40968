"""
The worker: django-tasks-db's own loop (claim a ready row under a lock, run
it, record the outcome), plus the two things that backend does not do yet
(django-tasks issue #46, django-tasks-db pull request #59):

- Retries with backoff. A failed attempt goes back to READY with its
  ``run_after`` pushed out (``retry.delay``); after ``retry.max_attempts()``
  it stays FAILED and the error is logged. The row counts its attempts in
  ``worker_ids`` (one entry per claim), so nothing else needs storing.
- A worker killed mid-job. Each worker writes a heartbeat row every few
  seconds from a thread of its own; any worker that finds a RUNNING row
  whose worker has not beaten for ``JOBS_WORKER_TIMEOUT`` seconds puts it
  back to READY (one conditional UPDATE, so two finders cannot both win).
  The job then runs again in full: jobs are written to be safe to repeat.

Every change to a queue row is one conditional UPDATE on that row, the same
on SQLite and PostgreSQL.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import retry, tasks
from .models import WorkerBeat

logger = logging.getLogger("core.jobs")

LOST = "core.jobs.worker.WorkerLost"


def worker_timeout() -> timedelta:
    return timedelta(seconds=max(1, settings.NEWSROOM_JOBS_WORKER_TIMEOUT))


def retry_or_give_up(row: DBTaskResult) -> None:
    """After a failed attempt: back in the queue later, or failed for good."""
    attempt = len(row.worker_ids)
    error = (row.traceback.strip().splitlines() or [row.exception_class_path])[-1]
    if attempt >= retry.max_attempts():
        logger.error(
            "Job %s (%s) failed %d times; giving up: %s",
            row.pk,
            row.task_path,
            attempt,
            error,
        )
        return
    wait = retry.delay(attempt)
    DBTaskResult.objects.filter(
        pk=row.pk, status=TaskResultStatus.FAILED, started_at=row.started_at
    ).update(
        status=TaskResultStatus.READY,
        run_after=timezone.now() + wait,
        finished_at=None,
    )
    logger.warning(
        "Job %s (%s) failed (attempt %d of %d): %s; trying again in %d s",
        row.pk,
        row.task_path,
        attempt,
        retry.max_attempts(),
        error,
        wait.total_seconds(),
    )


def requeue_lost(backend_name: str) -> int:
    """Put back the running jobs whose worker stopped beating. Returns how many."""
    now = timezone.now()
    cutoff = now - worker_timeout()
    alive = set(
        WorkerBeat.objects.filter(seen_at__gte=cutoff).values_list(
            "worker_id", flat=True
        )
    )
    running = DBTaskResult.objects.running().filter(
        backend_name=backend_name, started_at__lt=cutoff
    )
    requeued = 0
    for row in running.only("id", "task_path", "worker_ids", "started_at"):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        same_attempt = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        attempt = len(row.worker_ids)
        if attempt >= retry.max_attempts():
            same_attempt.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=LOST,
                traceback="The worker running this job stopped.",
            )
            logger.error(
                "Job %s (%s): its worker stopped on attempt %d; giving up",
                row.pk,
                row.task_path,
                attempt,
            )
        elif same_attempt.update(status=TaskResultStatus.READY, run_after=now):
            requeued += 1
            logger.warning(
                "Job %s (%s): its worker stopped mid-job; back in the queue",
                row.pk,
                row.task_path,
            )
    return requeued


class Heartbeat(threading.Thread):
    """Beats for one worker, and looks for jobs lost by others, until stopped."""

    def __init__(self, worker_id: str, backend_name: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.backend_name = backend_name
        self.stopping = threading.Event()
        self.interval = max(0.5, worker_timeout().total_seconds() / 4)

    def beat(self) -> None:
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id, defaults={"seen_at": timezone.now()}
        )
        requeue_lost(self.backend_name)
        tasks.housekeeping_if_due()
        # Beats of workers gone for a day tell nothing any more.
        WorkerBeat.objects.filter(
            seen_at__lt=timezone.now() - timedelta(days=1)
        ).delete()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.beat()
                except Exception:
                    # The database may be away for a moment; the next beat retries.
                    logger.exception("Job worker %s: heartbeat failed", self.worker_id)
                close_old_connections()
                self.stopping.wait(self.interval)
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.interval + 5)


class JobWorker(Worker):
    """django-tasks-db's worker with a heartbeat and retries. ``heartbeat``
    off is for tests that run the loop inside the test's own process."""

    def __init__(self, *, heartbeat: bool = True, **options):
        super().__init__(**options)
        self.heartbeat = heartbeat

    def run(self) -> None:
        if not self.heartbeat:
            return super().run()
        heartbeat = Heartbeat(self.worker_id, self.backend_name)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == TaskResultStatus.FAILED:
            retry_or_give_up(db_task_result)
