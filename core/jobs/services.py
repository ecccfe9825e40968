"""
Starting the site-wide jobs. Each is queued when the surrounding transaction
commits, so a write that rolls back starts nothing.

Heavy image renditions (issue 13) follow the same shape from the articles
app, which may not import this package: ``articles/tasks.py``, queued after
commit by the services that store the upload.
"""

from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from . import runner, tasks
from .models import JobRun


def job_run_start(
    *,
    name: str,
    callable_path: str,
    args: list | tuple = (),
    kwargs: dict | None = None,
    user: AbstractBaseUser | None = None,
) -> JobRun:
    """Queue ``callable_path(*args, progress=…, **kwargs)`` as a tracked job.

    The function must exist now (ValueError otherwise), take a ``progress``
    keyword argument, be safe to run twice (see ``core.jobs.runner``) and
    take only JSON arguments.
    """
    runner.load(callable_path)
    with transaction.atomic():
        job = JobRun.objects.create(
            name=name,
            callable_path=callable_path,
            args=list(args),
            kwargs=kwargs or {},
            created_by=user if user is not None and user.is_authenticated else None,
        )
        transaction.on_commit(partial(tasks.run_callable.enqueue, job.pk))
    return job
