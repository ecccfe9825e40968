"""The command: its closing table, its JSON report and its dry run."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article

from .conftest import WXR


def run(*args, **options):
    out = io.StringIO()
    call_command("import_wordpress", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_the_table_counts_each_kind_and_the_report_lists_every_skip(importer, tmp_path):
    report = tmp_path / "report.json"
    output = run(str(WXR / "basic.xml"), report=str(report))
    assert "kind        created  updated  unchanged  skipped  failed" in output
    assert "post              5        0          0        1       0" in output
    data = json.loads(report.read_text())
    assert data["counts"]["post"]["created"] == 5
    assert {
        "kind": "post",
        "id": "13",
        "outcome": "skipped",
        "reason": "status “private” is not imported",
        "file": str(WXR / "basic.xml"),
    } in data["problems"]


def test_a_second_run_reports_everything_unchanged(importer):
    run(str(WXR / "basic.xml"))
    output = run(str(WXR / "basic.xml"))
    assert output.splitlines()[-1].startswith("0 created, 0 updated, ")


def test_a_dry_run_says_so_and_writes_nothing(importer):
    output = run(str(WXR / "basic.xml"), dry_run=True)
    assert "(dry run: nothing was written)" in output
    assert not Article.objects.exists()


def test_a_missing_media_folder_is_refused_before_anything_happens(importer):
    with pytest.raises(CommandError, match="no such folder"):
        run(str(WXR / "basic.xml"), media_from="/nonexistent/uploads")
    assert not Article.objects.exists()


def test_without_a_superuser_the_command_asks_for_a_user(db):
    with pytest.raises(CommandError, match="--user"):
        run(str(WXR / "basic.xml"))
