"""
A job worker killed mid-job: the job still completes, exactly once.

A real ``manage.py run_jobs`` process runs a job that takes a few seconds
(``tests.core.jobs.slow_append``: it marks its start, sleeps, then appends
one line). The test SIGKILLs the worker while the job sleeps, starts a
second worker, and reads the outcome: one line written, two starts, the
queue row successful after two attempts, the JobRun done.

On SQLite (a file, the embedded default) always; also on PostgreSQL when
DATABASE_URL names one, in a database of its own (newsroom_jobs).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.stack

PROJECT = Path(__file__).resolve().parents[2]
JOB_SECONDS = 4
WORKER_TIMEOUT = 2


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(url)._replace(path="/newsroom_jobs"))


def on_postgres(url: str, *statements: str) -> None:
    import psycopg2

    admin = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        admin.close()


DROP = "DROP DATABASE IF EXISTS newsroom_jobs WITH (FORCE)"
DATABASES = ["sqlite"] + (["postgresql"] if postgres_url() else [])


class Site:
    """The project's settings on a database of its own, run by manage.py."""

    def __init__(self, root: Path, database: str):
        self.root = root
        if database == "sqlite":
            url = f"sqlite:///{root / 'db.sqlite3'}"
        else:
            url = postgres_url()
            on_postgres(url, DROP, "CREATE DATABASE newsroom_jobs")
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        self.env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "PYTHONPATH": str(PROJECT),
            "DEBUG": "true",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(root / "media"),
            "JOBS_BACKEND": "database",
            "JOBS_WORKER_TIMEOUT": str(WORKER_TIMEOUT),
            "JOBS_RETRY_SECONDS": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code)

    def start_worker(self, worker_id: str) -> subprocess.Popen:
        log = (self.root / f"{worker_id}.log").open("w")
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_jobs",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0.2",
                f"--worker-id={worker_id}",
            ],
            cwd=PROJECT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Waited {seconds} s for {what}")


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture(params=DATABASES)
def site(request):
    root = Path(tempfile.mkdtemp(prefix="newsroom-jobs-"))
    site = Site(root, request.param)
    try:
        site.manage("migrate", "--noinput", "-v0")
        yield site
    finally:
        site.stop_all()
        if request.param == "postgresql":
            on_postgres(postgres_url(), DROP)
        shutil.rmtree(root, ignore_errors=True)


def test_a_job_whose_worker_is_killed_mid_job_completes_exactly_once(site):
    out = site.root / "out.txt"
    started = out.with_suffix(".started")
    site.python(
        "from core.jobs.services import job_run_start; "
        "job_run_start(name='Kill test', callable_path='tests.core.jobs.slow_append',"
        f" args=[{str(out)!r}, {JOB_SECONDS}])"
    )

    first = site.start_worker("first")
    wait_for(lambda: lines(started), 60, "the first worker to start the job")
    time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert lines(out) == [], "the job finished before the kill; lengthen it"

    second = site.start_worker("second")
    wait_for(lambda: lines(out), 60, "the second worker to finish the job")
    # Long enough for a wrongly requeued job to start again.
    time.sleep(WORKER_TIMEOUT + 2)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=30)

    log = (site.root / "second.log").read_text()
    assert lines(out) == ["done"], log
    assert lines(started) == ["started", "started"], log
    assert "its worker stopped mid-job; back in the queue" in log
    state = json.loads(
        site.python(
            "import json; from core.jobs.models import JobRun; "
            "from django_tasks_db.models import DBTaskResult; "
            "run = JobRun.objects.get(); "
            # Not the hour's housekeeping job, which a worker queues too.
            "row = DBTaskResult.objects.get(task_path='core.jobs.tasks.run_callable'); "
            "print(json.dumps({'run': [run.status, run.attempts, run.result],"
            " 'row': [row.status, row.worker_ids]}))"
        )
    )
    assert state == {
        "run": ["done", 2, "done"],
        "row": ["SUCCESSFUL", ["first", "second"]],
    }
