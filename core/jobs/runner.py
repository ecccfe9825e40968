"""
Run any function as a tracked job: the WordPress import, and whatever long
work comes next. The function is named by dotted path and gets a
``progress(done, total=None, message="")`` keyword argument; each call
updates its ``JobRun`` row at once (outside any transaction the function
opens, so the admin sees it live). What it returns is stored as the result.

A job runs at least once: after a failure or a lost worker it runs again
from the start, so the function must be safe to repeat (an import that
updates rows it already wrote rather than adding them twice). A run that
finished is never run again.
"""

import json
import traceback
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import JobRun


def load(callable_path: str) -> Callable:
    """The function a path names, or ValueError saying why not."""
    try:
        func = import_string(callable_path)
    except ImportError as exc:
        raise ValueError(f"No function at {callable_path!r}: {exc}") from exc
    if not callable(func):
        raise ValueError(f"{callable_path!r} is not callable.")
    return func


def progress_reporter(run_id: int) -> Callable[..., None]:
    def progress(done: int, total: int | None = None, message: str = "") -> None:
        JobRun.objects.filter(pk=run_id).update(
            done=done, total=total, message=message[:255], updated_at=timezone.now()
        )

    return progress


def run(run_id: int) -> None:
    runs = JobRun.objects.filter(pk=run_id)
    job = runs.first()
    if job is None or job.status == JobRun.Status.DONE:
        return
    func = load(job.callable_path)
    runs.update(
        status=JobRun.Status.RUNNING,
        attempts=job.attempts + 1,
        error="",
        updated_at=timezone.now(),
    )
    try:
        result = func(*job.args, progress=progress_reporter(run_id), **job.kwargs)
    except Exception:
        runs.update(
            status=JobRun.Status.FAILED,
            error=traceback.format_exc()[-5000:],
            updated_at=timezone.now(),
        )
        raise
    try:
        json.dumps(result, cls=DjangoJSONEncoder)
    except TypeError:
        result = repr(result)
    runs.update(
        status=JobRun.Status.DONE,
        result=result,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
