"""
Housekeeping: finished jobs, expired sessions and old webhook deliveries are
deleted once they are old enough, in batches, by one worker an hour; what is
waiting, running or recent is never touched, and a dry run deletes nothing.
"""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from api.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from core.jobs import housekeeping, tasks
from tests.core.jobs import noop
from tests.core.test_jobs import DATABASE_QUEUE, run_worker
from tests.test_settings import run_django

pytestmark = pytest.mark.django_db(transaction=True)

NOW = timezone.now()


@pytest.fixture(autouse=True)
def queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.NEWSROOM_JOBS_KEEP_DAYS = 14
    settings.NEWSROOM_JOBS_KEEP_FAILED_DAYS = 60
    settings.WEBHOOKS_LOG_KEEP_DAYS = 30
    cache.delete(housekeeping.SLOT_KEY)


def job(status, *, days_ago):
    row = DBTaskResult.objects.get(pk=noop.enqueue().id)
    at = NOW - timedelta(days=days_ago)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=status, enqueued_at=at, started_at=at, finished_at=at
    )
    return row.pk


def delivery(status, *, days_ago, attempts=1):
    subscription, _ = WebhookSubscription.objects.get_or_create(
        name="Partner",
        defaults={
            "url": "https://partner.example/hook",
            "events": ["article.published"],
        },
    )
    at = NOW - timedelta(days=days_ago)
    row = WebhookDelivery.objects.create(
        subscription=subscription,
        message_id=f"msg_{status}_{days_ago}",
        event="article.published",
        body="{}",
        status=status,
        attempts=attempts,
        finished_at=at if status in ("delivered", "failed", "cancelled") else None,
    )
    for number in range(1, attempts + 1):
        WebhookAttempt.objects.create(
            delivery=row, number=number, started_at=at, latency_ms=3, response_code=500
        )
    return row.pk


def test_old_finished_jobs_go_and_waiting_running_and_recent_ones_stay():
    job(TaskResultStatus.SUCCESSFUL, days_ago=15)
    done_recent = job(TaskResultStatus.SUCCESSFUL, days_ago=13)
    failed_month = job(TaskResultStatus.FAILED, days_ago=30)
    job(TaskResultStatus.FAILED, days_ago=61)
    # A job queued long ago and never run, or running for ages, is work.
    waiting_old = job(TaskResultStatus.READY, days_ago=90)
    running_old = job(TaskResultStatus.RUNNING, days_ago=90)

    report = housekeeping.prune(now=NOW)

    assert report["finished jobs"] == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        done_recent,
        failed_month,
        waiting_old,
        running_old,
    }


def test_expired_sessions_go_and_live_ones_stay():
    Session.objects.create(
        session_key="a" * 32, session_data="", expire_date=NOW - timedelta(hours=1)
    )
    Session.objects.create(
        session_key="b" * 32, session_data="", expire_date=NOW + timedelta(days=1)
    )

    assert housekeeping.prune(now=NOW)["expired sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_old_finished_deliveries_go_with_their_attempts_and_the_rest_stay():
    gone = [
        delivery("delivered", days_ago=31),
        delivery("failed", days_ago=40, attempts=8),
        delivery("cancelled", days_ago=31),
    ]
    kept = [
        delivery("delivered", days_ago=29),
        # Still being tried: never deleted, however old its first attempt.
        delivery("retrying", days_ago=45, attempts=3),
        delivery("pending", days_ago=45, attempts=0),
    ]

    assert housekeeping.prune(now=NOW)["webhook deliveries"] == 3

    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == set(kept)
    assert not WebhookAttempt.objects.filter(delivery_id__in=gone).exists()
    assert WebhookAttempt.objects.filter(delivery_id__in=kept).count() == 4


def test_rows_go_in_batches_until_none_is_left(monkeypatch):
    monkeypatch.setattr(housekeeping, "BATCH", 2)
    for _ in range(5):
        job(TaskResultStatus.SUCCESSFUL, days_ago=20)

    assert housekeeping.prune(now=NOW)["finished jobs"] == 5
    assert not DBTaskResult.objects.exists()


def test_a_dry_run_counts_and_deletes_nothing(capsys):
    job(TaskResultStatus.SUCCESSFUL, days_ago=20)
    delivery("delivered", days_ago=31)

    call_command("housekeeping", "--dry-run")

    out = capsys.readouterr().out
    assert "finished jobs: would delete 1" in out
    assert "webhook deliveries: would delete 1" in out
    assert DBTaskResult.objects.count() == 1 and WebhookDelivery.objects.count() == 1

    call_command("housekeeping")

    assert "finished jobs: deleted 1" in capsys.readouterr().out
    assert not DBTaskResult.objects.exists() and not WebhookDelivery.objects.exists()


def test_one_worker_an_hour_queues_it_and_the_worker_runs_it(settings):
    settings.NEWSROOM_JOBS_HOUSEKEEPING_SECONDS = 3600
    old = job(TaskResultStatus.SUCCESSFUL, days_ago=20)

    # Every worker's heartbeat asks; the shared cache lets one through.
    assert tasks.housekeeping_if_due() is True
    assert tasks.housekeeping_if_due() is False
    queued = DBTaskResult.objects.filter(task_path="core.jobs.tasks.housekeeping")
    assert queued.count() == 1

    run_worker()

    assert not DBTaskResult.objects.filter(pk=old).exists()
    assert queued.get().status == TaskResultStatus.SUCCESSFUL


def test_switched_off_it_is_never_queued(settings):
    settings.NEWSROOM_JOBS_HOUSEKEEPING_SECONDS = 0

    assert tasks.housekeeping_if_due() is False
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("JOBS_KEEP_DAYS", "0", "JOBS_KEEP_DAYS must be at least 1, not 0."),
        ("WEBHOOKS_LOG_KEEP_DAYS", "-3", "WEBHOOKS_LOG_KEEP_DAYS must be at least 1"),
        ("JOBS_HOUSEKEEPING_SECONDS", "hourly", "must be a whole number, not 'hourly'"),
    ],
)
def test_nonsense_in_the_environment_is_refused_with_its_name(variable, value, message):
    result = run_django("", DEBUG="true", **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr
