"""
A heavy image's renditions are made by a job after commit, not in the
editor's request; a small one's at once. Until the job has run, pages show no
picture (never the raw upload); the job writes only while the row still holds
its file, changes nothing the second time, purges the pages, and a failure is
retried by the worker and finally logged while the piece stays up.

Heavy means over ``IMAGE_INLINE_MAX_PIXELS``; the tests lower it so their
images stay small and quick.
"""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles import cache, tasks
from articles.models import Article, Author
from articles.services import article_create, article_update, author_save
from caching import purges
from core.jobs.worker import JobWorker
from core.roles import EDITORS, sync_groups
from tests.articles.test_images import image_bytes
from tests.factories import ArticleFactory, SectionFactory, UserFactory

SMALL = (600, 400)  # 0.24 MP
HEAVY = (1200, 800)  # 0.96 MP


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NEWSROOM_IMAGE_INLINE_MAX_PIXELS = 500_000
    return tmp_path


@pytest.fixture
def purged(monkeypatch):
    calls = []
    monkeypatch.setattr(purges, "purge_now", lambda *tags, **_: calls.append(set(tags)))
    return calls


def upload(size, name="tokyo.jpg"):
    return SimpleUploadedFile(name, image_bytes(size), content_type="image/jpeg")


def publish(editor, size):
    return article_create(
        user=editor,
        action="publish",
        fields={
            "headline": "UK Considers Security Treaty with Japan",
            "section": SectionFactory(),
            "lead_image": upload(size),
            "lead_image_alt": "Ministers shake hands",
        },
    )


def rendition_job(article):
    """Run the job the way the worker would, for the file the row holds now."""
    return tasks.make_lead_image_renditions.call(article.pk, article.lead_image.name)


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def assert_no_image_on(html: str, article) -> None:
    assert "<picture" not in html
    assert article.lead_image.url not in html
    assert "og:image" not in html
    assert '"image"' not in html  # JSON-LD


# Inline or queued -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_small_image_has_its_renditions_when_the_service_returns(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = publish(editor, SMALL)

    article.refresh_from_db()
    assert {r["width"] for r in article.lead_image_renditions} == {320}
    assert not [c for c in callbacks if getattr(c, "func", None) == _enqueue()]


@pytest.mark.django_db
def test_a_heavy_image_is_stored_at_once_and_its_renditions_queued_for_after_commit(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = publish(editor, HEAVY)

    article.refresh_from_db()
    assert default_storage.exists(article.lead_image.name)
    assert article.lead_image_renditions == []
    queued = [c for c in callbacks if getattr(c, "func", None) == _enqueue()]
    assert [c.args for c in queued] == [(article.pk, article.lead_image.name)]


def _enqueue():
    return tasks.make_lead_image_renditions.enqueue


@pytest.mark.django_db
def test_a_heavy_images_renditions_appear_once_the_job_has_run(
    editor, django_capture_on_commit_callbacks
):
    # The test settings run a job as soon as its commit callback runs.
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(editor, HEAVY)

    article.refresh_from_db()
    assert {r["width"] for r in article.lead_image_renditions} == {320, 640, 960}
    for rendition in article.lead_image_renditions:
        assert default_storage.exists(rendition["name"])


@pytest.mark.django_db
def test_a_bad_upload_is_still_refused_in_the_write_whatever_its_size(editor):
    with pytest.raises(Exception) as error:
        article_create(
            user=editor,
            fields={
                "headline": "Not a picture",
                "section": SectionFactory(),
                "lead_image": SimpleUploadedFile("big.jpg", b"not an image" * 1000),
            },
        )

    assert "not an image we can read" in str(error.value)
    assert not Article.objects.exists()


# While the job waits ------------------------------------------------------------


@pytest.mark.django_db
def test_while_the_job_waits_the_pages_show_no_picture_and_never_the_upload(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(editor, HEAVY)
    article.refresh_from_db()

    html = page(client, article)
    assert "UK Considers Security Treaty with Japan" in html
    assert_no_image_on(html, article)
    front = client.get("/").content.decode()
    assert article.lead_image.url not in front

    rendition_job(article)
    assert "<picture" in page(client, article)


@pytest.mark.django_db
def test_an_authors_heavy_photo_is_left_off_their_page_until_its_job_has_run(
    client, django_capture_on_commit_callbacks
):
    author = Author(name="Daniel Perez", slug="daniel-perez", photo=upload(HEAVY))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        author_save(author=author)
    author.refresh_from_db()

    html = client.get(author.get_absolute_url()).content.decode()
    assert "<picture" not in html
    assert author.photo.url not in html

    for callback in callbacks:
        callback()
    author.refresh_from_db()
    assert {r["width"] for r in author.photo_renditions} == {320, 640, 960}


# The job is safe to run late, twice, or not at all --------------------------------


@pytest.mark.django_db
def test_a_newer_upload_is_not_overwritten_by_the_older_images_job(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as first_commit:
        article = publish(editor, HEAVY)
    article.refresh_from_db()
    old_name = article.lead_image.name
    article_update(
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"lead_image": upload(SMALL, "newer.jpg")},
    )
    article.refresh_from_db()
    newer = article.lead_image_renditions

    for callback in first_commit:  # the older job runs last
        callback()

    article.refresh_from_db()
    assert article.lead_image.name != old_name
    assert article.lead_image_renditions == newer
    assert all("newer" in r["name"] for r in newer)
    stem = old_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert not any(
        stem in name for name in default_storage.listdir("renditions/articles")[1]
    ), "the older job's files are taken back"


@pytest.mark.django_db
def test_running_the_job_twice_changes_nothing_the_second_time(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(editor, HEAVY)
    article.refresh_from_db()
    assert rendition_job(article) is True
    article.refresh_from_db()
    first = article.lead_image_renditions
    stamps = {r["name"]: default_storage.get_modified_time(r["name"]) for r in first}

    assert rendition_job(article) is False

    article.refresh_from_db()
    assert article.lead_image_renditions == first
    assert stamps == {
        r["name"]: default_storage.get_modified_time(r["name"]) for r in first
    }


@pytest.mark.django_db
def test_an_editors_copy_read_before_the_job_finished_does_not_undo_it(
    editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(editor, HEAVY)
    stale = Article.objects.get(pk=article.pk)  # the change form, still open
    rendition_job(stale)

    article_update(
        article=stale,
        user=editor,
        expected_version=stale.version,
        fields={"dek": "A typo fixed."},
    )

    stale.refresh_from_db()
    assert stale.dek == "A typo fixed."
    assert len(stale.lead_image_renditions) == 6


@pytest.mark.django_db
def test_the_job_purges_the_articles_pages_when_it_writes(
    editor, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(editor, HEAVY)
    article.refresh_from_db()
    purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rendition_job(article)

    assert any(cache.article_tag(article.pk) in tags for tags in purged)
    assert any(cache.list_tag("front") in tags for tags in purged)


@pytest.mark.django_db
def test_a_missing_file_fails_the_job_and_the_piece_stays_up_without_a_picture(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = publish(editor, HEAVY)
    article.refresh_from_db()
    default_storage.delete(article.lead_image.name)

    with pytest.raises(FileNotFoundError):
        rendition_job(article)

    article.refresh_from_db()
    assert article.is_published()
    assert article.lead_image_renditions == []
    assert_no_image_on(page(client, article), article)


# On the real queue: retried, then logged ---------------------------------------


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


@pytest.mark.django_db(transaction=True)
def test_on_the_queue_a_failing_job_is_retried_then_logged_and_a_good_one_runs(
    settings, caplog
):
    sync_groups(apps)  # a transactional test flushes the groups
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSROOM_JOBS_MAX_ATTEMPTS = 2
    editor = UserFactory(username="editor", groups=[EDITORS])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        good = publish(editor, HEAVY)
        lost = publish(editor, HEAVY)
        default_storage.delete(lost.lead_image.name)
        with caplog.at_level(logging.WARNING, logger="core.jobs"):
            run_worker()
            clock.move_to(timezone.now() + timedelta(hours=1))
            run_worker()

    good.refresh_from_db()
    lost.refresh_from_db()
    assert len(good.lead_image_renditions) == 6
    assert lost.lead_image_renditions == [] and lost.is_published()
    results = {r.args_kwargs["args"][0]: r for r in DBTaskResult.objects.all()}
    assert results[good.pk].status == TaskResultStatus.SUCCESSFUL
    assert results[lost.pk].status == TaskResultStatus.FAILED
    assert len(results[lost.pk].worker_ids) == 2
    ours = [r for r in caplog.records if r.name == "core.jobs"]
    [given_up] = [r for r in ours if r.levelno == logging.ERROR]
    assert "giving up: FileNotFoundError" in given_up.getMessage()


@pytest.mark.django_db
def test_the_factories_give_a_heavy_image_its_renditions_like_the_job_would():
    article = ArticleFactory(lead_image=upload(HEAVY), lead_image_alt="A field")

    assert {r["width"] for r in article.lead_image_renditions} == {320, 640, 960}
