"""Importing a WordPress export from the admin, in Chromium: the editor finds
the page on the desk, uploads a small export, watches the job's progress from
the queue to the end, and reads the report, under the admin's CSP."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.models import Article
from core.jobs.models import JobRun
from core.roles import EDITORS
from tests.core.test_jobs import DATABASE_QUEUE, run_worker
from tests.e2e.test_csp import Probe
from tests.e2e.test_editor_flow import log_in
from tests.factories import UserFactory

EXPORT = Path(__file__).resolve().parent.parent / "core" / "wxr" / "basic.xml"


@pytest.fixture(autouse=True)
def queue(settings, tmp_path):
    """The job waits in the database queue, as on a site with a worker, so
    the page has progress to follow; the test is the worker."""
    settings.TASKS = DATABASE_QUEUE
    settings.NEWSROOM_IMPORT_ROOT = tmp_path / "imports"


def test_an_editor_uploads_an_export_watches_it_run_and_reads_the_report(page):
    UserFactory(username="editor", groups=[EDITORS])
    probe = Probe(page)
    log_in(page, "editor")
    page.get_by_role("link", name="Import from WordPress").click()
    expect(page.locator("h1")).to_have_text("Import from WordPress")

    # A file that is not an export comes back with the reason by the field.
    page.get_by_label("WordPress export (WXR file)").set_input_files(
        files=[{"name": "notes.xml", "mimeType": "text/xml", "buffer": b"Hello\n"}]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".field-export .errorlist")).to_contain_text("line 1, column 1")
    assert not JobRun.objects.exists()

    page.get_by_label("WordPress export (WXR file)").set_input_files(EXPORT)
    expect(page.get_by_label("Download images from the old site")).not_to_be_checked()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-status")).to_have_text("Queued")
    expect(page.get_by_text("waits in the queue")).to_be_visible()
    # The script is polling before any worker runs.
    poll = page.wait_for_event(
        "response", predicate=lambda response: "/progress/" in response.url
    )
    assert poll.json()["status"] == "queued"

    run_worker()

    report = page.locator("#import-report")
    expect(report).to_be_visible()
    post_row = report.locator("tbody tr", has_text="post").first
    created = Article.objects.count()
    assert created > 0
    expect(post_row.locator("td").first).to_have_text(str(created))
    expect(page.locator("#import-problems")).to_contain_text("no media source")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (JSON)").click()
    assert download.value.suggested_filename.startswith("wordpress-import-")
    assert probe.violations() == []
