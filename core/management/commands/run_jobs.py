"""
``manage.py run_jobs``: the background-job worker (``make worker``).

django-tasks-db's ``db_worker`` with the same options, running
``core.jobs.worker.JobWorker``: retries with backoff, and jobs of a worker
that died put back in the queue. Run one or more beside the app servers;
stop it with SIGTERM or Ctrl-C and it finishes the job in hand first.
"""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands import db_worker

from core.jobs.worker import JobWorker


class Command(db_worker.Command):
    help = (
        "Run background jobs from the database queue, with retries and the "
        "recovery of jobs whose worker died."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        if not isinstance(task_backends[backend_name], DatabaseBackend):
            raise CommandError(
                f"JOBS_BACKEND runs jobs without a worker; the task backend "
                f"{backend_name!r} is not the database queue."
            )
        self.configure_logging(verbosity)
        worker = JobWorker(
            queue_names=queue_name.split(","),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
        )
        if reload and not batch:
            # Only the reloader's child runs jobs, so only it handles signals.
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
