"""The benchmark's synthetic export (bench/wxr.py) is a WXR file the importer
reads, the same bytes every time, with the comments, terms and co-authors
the benchmark claims to measure."""

from bench.wxr import GUEST_AUTHORS, wxr_write
from core.importers.wordpress.parse import check_file


def test_the_same_settings_write_the_same_bytes(tmp_path):
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    wxr_write(path=first, posts=6, comments=3)
    wxr_write(path=second, posts=6, comments=3)
    assert first.read_bytes() == second.read_bytes()
    assert check_file(first).items == 6 + GUEST_AUTHORS


def test_the_export_imports_with_threaded_comments_and_then_stays_unchanged(
    tmp_path, run_import
):
    path = tmp_path / "bench.xml"
    wxr_write(path=path, posts=8, comments=4, body_bytes=300)
    report = run_import(path)
    assert report.counts["post"]["created"] == 8
    assert report.counts["comment"]["created"] == 8 * 4
    assert report.total("failed") == 0
    again = run_import(path)
    assert again.counts["post"]["unchanged"] == 8
    assert again.total("created") == again.total("updated") == 0
