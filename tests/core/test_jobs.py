"""
Background jobs on the database queue: each job runs once, a failure is
retried with a growing wait and then given up in the log, a rolled-back
write queues nothing, and a job whose worker died goes back in the queue.

These run django-tasks-db's queue and our worker loop in the test process
(committed rows, hence ``transactional_db``); tests/stack/test_jobs_worker.py
kills a real worker process.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments import services
from comments.models import Comment
from core.jobs import retry
from core.jobs import services as jobs
from core.jobs.models import JobRun, WorkerBeat
from core.jobs.worker import JobWorker, requeue_lost
from core.roles import sync_groups
from tests.core import jobs as test_jobs
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def queue(settings):
    # A transactional test flushes the groups the migrations made.
    sync_groups(apps)
    settings.TASKS = DATABASE_QUEUE
    settings.NEWSROOM_JOBS_MAX_ATTEMPTS = 3
    settings.NEWSROOM_JOBS_RETRY_SECONDS = 30


def run_worker() -> None:
    """What ``manage.py run_jobs --batch`` does: every due job, then stop."""
    JobWorker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        heartbeat=False,
    ).run()


class RefusingSMTP(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def pending_comment(moderator_email="mod@example.org"):
    from core.roles import MODERATORS
    from tests.factories import UserFactory

    UserFactory(username="mod", email=moderator_email, groups=[MODERATORS])
    article = ArticleFactory()
    with transaction.atomic():
        services.comment_create(
            article=article,
            name="Sam",
            email="sam@example.org",
            body="Is there a mutual defence clause?",
            ip="198.51.100.1",
        )
    return Comment.objects.get()


def test_the_moderators_email_waits_for_the_worker_and_goes_once():
    pending_comment()

    [job] = DBTaskResult.objects.all()
    assert job.task_path == "comments.tasks.notify_moderators"
    assert mail.outbox == []

    run_worker()
    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mod@example.org"]
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL


def test_a_refused_email_is_retried_with_a_growing_wait_then_given_up(settings, caplog):
    settings.EMAIL_BACKEND = "tests.core.test_jobs.RefusingSMTP"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        pending_comment()
        job = DBTaskResult.objects.get()
        waits = []
        with caplog.at_level(logging.WARNING, logger="core.jobs"):
            for _ in range(3):
                run_worker()
                job.refresh_from_db()
                if job.status == TaskResultStatus.READY:
                    waits.append(job.run_after - timezone.now())
                    run_worker()  # not due yet: nothing runs
                    job.refresh_from_db()
                    assert job.status == TaskResultStatus.READY
                    clock.move_to(job.run_after + timedelta(seconds=1))

    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    assert job.status == TaskResultStatus.FAILED
    assert len(job.worker_ids) == 3
    assert "SMTPServerDisconnected" in job.exception_class_path
    assert mail.outbox == []
    ours = [r for r in caplog.records if r.name == "core.jobs"]
    retries = [r for r in ours if r.levelno == logging.WARNING]
    [given_up] = [r for r in ours if r.levelno == logging.ERROR]
    assert len(retries) == 2
    assert "failed 3 times; giving up" in given_up.getMessage()
    assert "Connection unexpectedly closed" in given_up.getMessage()


def test_a_reply_email_is_sent_once_by_the_worker(trusting_config):
    parent = CommentFactory(notify_replies=True, author_email="hannah@example.org")
    with transaction.atomic():
        services.comment_create(
            article=parent.article,
            name="Sam",
            email="sam@example.org",
            body="Good question.",
            ip="198.51.100.1",
            parent=parent,
        )

    run_worker()
    run_worker()

    assert [m.to for m in mail.outbox] == [["hannah@example.org"]]


@pytest.fixture
def trusting_config():
    from comments.models import ModerationSettings

    config = ModerationSettings.load()
    config.trusted_after_approved = 0
    config.notify_moderators = False
    config.save()
    return config


def test_a_rolled_back_write_queues_no_job(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.comment_create(
                article=article,
                name="Sam",
                email="sam@example.org",
                body="A comment held for a moderator.",
                ip="198.51.100.1",
            )
            jobs.job_run_start(name="Import", callable_path="tests.core.jobs.count_to")
            raise RuntimeError("the write fails")

    assert callbacks == []
    assert DBTaskResult.objects.count() == 0
    assert JobRun.objects.count() == 0
    assert Comment.objects.count() == 0


def test_a_job_that_fails_once_is_run_again_later_and_succeeds_once(tmp_path):
    out = tmp_path / "flaky.txt"
    with transaction.atomic():
        transaction.on_commit(partial(test_jobs.fail_once.enqueue, str(out)))

    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.READY  # failed: again later
    with time_machine.travel(job.run_after + timedelta(seconds=1), tick=False):
        run_worker()
        run_worker()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value == 2
    assert out.read_text().splitlines() == ["failed", "done"]


def test_a_long_job_records_progress_and_its_result():
    with transaction.atomic():
        run = jobs.job_run_start(
            name="WordPress import",
            callable_path="tests.core.jobs.count_to",
            args=[3],
        )
    assert run.status == JobRun.Status.QUEUED

    run_worker()

    run.refresh_from_db()
    assert run.status == JobRun.Status.DONE
    assert (run.done, run.total, run.message) == (3, 3, "counted 3")
    assert run.result == {"counted": 3}
    assert run.attempts == 1


def test_a_failing_long_job_records_its_error_and_is_retried():
    with transaction.atomic():
        run = jobs.job_run_start(
            name="Broken import", callable_path="tests.core.jobs.fail"
        )

    run_worker()

    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED
    assert "ValueError: the export is truncated" in run.error
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY


def test_a_job_for_a_function_that_does_not_exist_is_refused_at_once():
    with pytest.raises(ValueError, match="No function"):
        jobs.job_run_start(name="Typo", callable_path="tests.core.jobs.nothing_here")
    assert JobRun.objects.count() == 0


def claimed(worker_id, started_minutes_ago, attempts=1):
    from tests.core.jobs import noop

    result = noop.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    for _ in range(attempts - 1):
        row.claim(worker_id)
    started = timezone.now() - timedelta(minutes=started_minutes_ago)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)
    return row


def test_a_job_whose_worker_stopped_beating_goes_back_in_the_queue(settings):
    settings.NEWSROOM_JOBS_WORKER_TIMEOUT = 60
    lost = claimed("dead", started_minutes_ago=5)
    busy = claimed("alive", started_minutes_ago=5)
    just_claimed = claimed("starting", started_minutes_ago=0)
    WorkerBeat.objects.create(
        worker_id="dead", seen_at=timezone.now() - timedelta(minutes=3)
    )
    WorkerBeat.objects.create(worker_id="alive", seen_at=timezone.now())

    assert requeue_lost("default") == 1

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[lost.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == TaskResultStatus.RUNNING
    assert statuses[just_claimed.pk] == TaskResultStatus.RUNNING


def test_a_job_that_keeps_killing_its_worker_is_given_up(caplog):
    row = claimed("dead", started_minutes_ago=5, attempts=3)

    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        assert requeue_lost("default") == 0

    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "core.jobs.worker.WorkerLost"
    assert "giving up" in caplog.text


def test_the_wait_doubles_after_each_failure_and_stops_growing_at_an_hour():
    waits = [retry.delay(attempt).total_seconds() for attempt in (1, 2, 3, 4, 9)]
    assert waits == [30, 60, 120, 240, 3600]


def test_the_deploy_check_warns_when_jobs_would_run_in_requests(settings):
    from core.jobs.checks import jobs_run_by_a_worker

    assert jobs_run_by_a_worker() == []
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    [warning] = jobs_run_by_a_worker()
    assert warning.id == "core.W001"
