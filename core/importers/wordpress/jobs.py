"""
The import as a background job, for the admin's "Import from WordPress" page.

``wordpress_upload_check`` keeps an uploaded export in the private import
folder (``NEWSROOM_IMPORT_ROOT``, never the public media store: an export
holds drafts and commenters' emails) and refuses it there and then, with the
importer's own line-and-column message, if it is not a WordPress export, so a
bad file never reaches the queue. ``wordpress_import_start`` queues the job;
the worker calls ``wordpress_import_run``, which turns the importer's
per-phase bars into the job's progress and stores the report as its result.

A job may run twice (a worker that died, a retry): the importer is
idempotent, and the upload is removed only once an import has finished.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from core.jobs.models import JobRun
from core.jobs.services import job_run_start

from .media import MediaSource
from .parse import check_file
from .run import ImportOptions, wordpress_import

JOB_PATH = "core.importers.wordpress.jobs.wordpress_import_run"
# The progress row is written at most this often: a 100,000-post import would
# otherwise make one UPDATE per item.
PROGRESS_EVERY_SECONDS = 0.5


def wordpress_upload_check(*, upload) -> Path:
    """Store ``upload`` privately and check it is a WXR file.

    Raises ``WxrError`` (and keeps nothing) for a file the importer refuses.
    """
    folder = Path(settings.NEWSROOM_IMPORT_ROOT)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{uuid.uuid4().hex}.xml"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        check_file(path)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return path


def wordpress_import_start(
    *, path: Path, filename: str, user, fetch_media: bool, dry_run: bool
) -> JobRun:
    """Queue the import of a checked upload as ``user``; the run to watch."""
    return job_run_start(
        name=f"WordPress import: {filename}",
        callable_path=JOB_PATH,
        kwargs={
            "path": Path(path).name,
            "filename": filename,
            "user_id": user.pk,
            "fetch_media": fetch_media,
            "dry_run": dry_run,
        },
        user=user,
    )


class _PhaseBar:
    """tqdm's interface for the importer, writing to the job's row."""

    def __init__(self, progress, phase: str, total: int):
        self.progress, self.phase, self.total = progress, phase, total
        self.done = 0
        self.written = 0.0
        self._write()

    def _write(self) -> None:
        self.progress(self.done, self.total, self.phase)
        self.written = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.written >= PROGRESS_EVERY_SECONDS:
            self._write()

    def close(self) -> None:
        self._write()


def wordpress_import_run(
    *,
    path: str,
    filename: str,
    user_id: int,
    fetch_media: bool,
    dry_run: bool,
    progress,
) -> dict:
    """The job: import the stored upload, return the report as a dict."""
    file = Path(settings.NEWSROOM_IMPORT_ROOT) / Path(path).name
    user = get_user_model().objects.get(pk=user_id)
    report = wordpress_import(
        paths=[file],
        user=user,
        options=ImportOptions(media=MediaSource(fetch=fetch_media), dry_run=dry_run),
        progress=lambda phase, total: _PhaseBar(progress, phase, total),
    )
    result = report.as_dict()
    # The person knows the file by the name they uploaded, not ours.
    result["files"] = [filename]
    result["table"] = report.table()
    file.unlink(missing_ok=True)
    return result
