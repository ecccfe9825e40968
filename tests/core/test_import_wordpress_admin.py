"""
The admin's "Import from WordPress" page: who may use it, what a bad file
gets (a message on the field, nothing kept, nothing queued), and a good one
queued as a job whose progress and report the page shows.

Jobs run in the test process when the transaction commits (tests/settings.py);
``django_capture_on_commit_callbacks(execute=True)`` is that commit here.
"""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from core.importers.wordpress.jobs import JOB_PATH
from core.jobs.models import JobRun
from tests.factories import UserFactory

WXR = Path(__file__).parent / "wxr"
URL = reverse("core:wordpress-import")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_root(settings, tmp_path):
    settings.NEWSROOM_IMPORT_ROOT = tmp_path / "imports"
    return settings.NEWSROOM_IMPORT_ROOT


def upload(name, content=None):
    data = (WXR / name).read_bytes() if content is None else content
    return SimpleUploadedFile(name, data, content_type="text/xml")


def kept_files(root) -> list:
    return sorted(root.iterdir()) if root.exists() else []


@pytest.fixture
def superuser(db):
    return UserFactory(username="chief", is_superuser=True)


def test_editors_and_superusers_see_the_page(client, editor, superuser):
    for user in (editor, superuser):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert "Download images from the old site" in response.text


@pytest.mark.parametrize("role", ["writer", "moderator"])
def test_writers_and_moderators_are_refused(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"export": upload("basic.xml")}).status_code == 403
    assert not JobRun.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_the_desk_links_to_the_page_for_editors_only(client, editor, writer):
    client.force_login(editor)
    assert URL in client.get(reverse("admin:index")).text
    client.force_login(writer)
    assert URL not in client.get(reverse("admin:index")).text


def test_fetching_media_is_off_until_asked(client, editor):
    client.force_login(editor)
    form = client.get(URL).context["form"]
    assert form["fetch_media"].value() in (None, False)
    assert "addresses written in the export" in form.fields["fetch_media"].help_text


def test_a_good_export_is_queued_kept_privately_and_nothing_runs_before_commit(
    client, editor, import_root, settings
):
    client.force_login(editor)
    response = client.post(URL, {"export": upload("basic.xml")})
    run = JobRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("core:wordpress-import-run", args=[run.pk])
    assert run.callable_path == JOB_PATH
    assert run.status == JobRun.Status.QUEUED
    assert run.kwargs["filename"] == "basic.xml"
    assert run.kwargs["fetch_media"] is False
    (kept,) = kept_files(import_root)
    assert kept.read_bytes() == (WXR / "basic.xml").read_bytes()
    assert not Path(settings.MEDIA_ROOT).is_relative_to(import_root)
    assert not kept.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not Article.objects.exists()


def test_the_job_imports_and_the_page_shows_the_report(
    client, editor, import_root, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"export": upload("basic.xml")})
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.DONE, run.error
    assert run.result["counts"]["post"]["created"] == Article.objects.count() > 0
    # The upload is gone once the import has finished.
    assert kept_files(import_root) == []

    page = client.get(response.url)
    assert page.context["finished"]
    assert "Skipped and failed" in page.text
    assert "no media source" in page.text
    report_url = reverse("core:wordpress-import-report", args=[run.pk])
    assert report_url in page.text

    download = client.get(report_url)
    assert download["Content-Disposition"].startswith("attachment;")
    report = json.loads(download.content)
    assert report["files"] == ["basic.xml"]
    assert report["counts"] == run.result["counts"]
    assert report["problems"]


def test_a_dry_run_writes_nothing_and_says_so(
    client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"export": upload("basic.xml"), "dry_run": "on"})
    assert JobRun.objects.get().result["dry_run"] is True
    assert not Article.objects.exists()
    assert "Dry run: nothing was written." in client.get(response.url).text


def test_no_file_is_asked_for_next_to_the_field(client, editor):
    client.force_login(editor)
    response = client.post(URL, {"dry_run": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["export"] == [
        "Choose the export file to import."
    ]
    assert not JobRun.objects.exists()


def test_a_file_over_the_limit_is_refused_and_not_kept(
    client, editor, settings, import_root
):
    settings.NEWSROOM_IMPORT_MAX_BYTES = 1000
    client.force_login(editor)
    response = client.post(URL, {"export": upload("basic.xml")})
    (error,) = response.context["form"].errors["export"]
    assert error == "This file is 10.7\xa0KB; the limit is 1000\xa0bytes."
    assert not JobRun.objects.exists()
    assert kept_files(import_root) == []


@pytest.mark.parametrize(
    ("name", "where", "reason"),
    [
        ("malformed.xml", "line 7, column", "mismatched tag"),
        ("not_wxr.xml", "line 1, column 1", "not a WXR file"),
    ],
)
def test_a_file_the_importer_refuses_gets_its_line_and_column_next_to_the_field(
    client, editor, import_root, name, where, reason
):
    client.force_login(editor)
    response = client.post(URL, {"export": upload(name)})
    (error,) = response.context["form"].errors["export"]
    assert error.startswith("This is not a WordPress export we can read (")
    assert where in error
    assert reason in error
    assert error.endswith("Nothing was imported.")
    assert 'class="errorlist' in response.text
    assert not JobRun.objects.exists()
    assert kept_files(import_root) == []


def test_text_that_is_not_xml_is_refused_with_its_position(client, editor):
    client.force_login(editor)
    response = client.post(URL, {"export": upload("notes.xml", b"Dear editor,\n")})
    (error,) = response.context["form"].errors["export"]
    assert "line 1, column 1" in error
    assert not JobRun.objects.exists()


def queued_run(user) -> JobRun:
    return JobRun.objects.create(
        name="WordPress import: basic.xml",
        callable_path=JOB_PATH,
        kwargs={},
        created_by=user,
        done=3,
        total=12,
        message="posts",
        status=JobRun.Status.RUNNING,
    )


def test_the_progress_endpoint_answers_in_a_fixed_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    run = queued_run(editor)
    client.force_login(editor)
    url = reverse("core:wordpress-import-progress", args=[run.pk])
    client.get(url)  # a first request may warm caches (content types)
    # Session, user, the user's and the group's permissions, the run.
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert response.json() == {
        "status": "running",
        "done": 3,
        "total": 12,
        "message": "posts",
        "finished": False,
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_running_import_shows_progress_with_a_script_and_a_reload_fallback(
    client, editor, django_assert_max_num_queries
):
    run = queued_run(editor)
    client.force_login(editor)
    url = reverse("core:wordpress-import-run", args=[run.pk])
    client.get(url)
    # Session, user, its and its groups' permissions, the run: the admin's
    # sidebar and the editors' desk are not on this page.
    with django_assert_max_num_queries(5):
        page = client.get(url).text
    assert '<progress id="import-bar" max="12" value="3">' in page
    assert "js/wordpress_import.js" in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "<script>" not in page


def test_other_jobs_and_other_roles_get_nothing_from_the_endpoints(
    client, editor, writer
):
    run = queued_run(editor)
    other = JobRun.objects.create(name="other", callable_path="tests.core.jobs.fail")
    client.force_login(editor)
    for name in ("run", "progress", "report"):
        url = reverse(f"core:wordpress-import-{name}", args=[other.pk])
        assert client.get(url).status_code == 404
    # Not finished: no report yet.
    report_url = reverse("core:wordpress-import-report", args=[run.pk])
    assert client.get(report_url).status_code == 404
    client.force_login(writer)
    for name in ("run", "progress", "report"):
        url = reverse(f"core:wordpress-import-{name}", args=[run.pk])
        assert client.get(url).status_code == 403
