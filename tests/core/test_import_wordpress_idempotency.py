"""Running an import again changes nothing; an edited export updates what
changed; a stopped import carries on; one broken post does not stop the rest."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ArticlePath, Author, Section
from comments.models import Comment
from core.importers.wordpress import posts
from core.models import ImportedItem


def snapshot():
    return {
        "articles": list(
            Article.objects.order_by("pk").values_list("pk", "version", "modified_at")
        ),
        "comments": Comment.objects.count(),
        "authors": Author.objects.count(),
        "sections": Section.objects.count(),
        "paths": ArticlePath.objects.count(),
        "records": ImportedItem.objects.count(),
    }


def test_a_second_run_creates_nothing_and_changes_nothing(run_import, uploads):
    from core.importers.wordpress import MediaSource

    media = MediaSource(directory=uploads)
    run_import("basic.xml", "second.xml", "coauthors.xml", media=media)
    before = snapshot()
    report = run_import("basic.xml", "second.xml", "coauthors.xml", media=media)
    assert snapshot() == before
    assert report.total("created") == 0
    assert report.total("updated") == 0
    assert report.counts["post"]["unchanged"] == 7


def test_an_edited_export_updates_only_the_changed_post(run_import, wxr_copy):
    run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    edited = wxr_copy(
        "basic.xml",
        ("The ferry is back.", "The ferry is back, on time."),
        ("<wp:comment_id>106</wp:comment_id>", "<wp:comment_id>107</wp:comment_id>"),
    )
    report = run_import(edited)
    assert report.counts["post"]["updated"] == 1
    assert report.counts["post"]["unchanged"] == 4
    article.refresh_from_db()
    assert "on time" in article.body
    assert article.slug == "ferry-returns"
    assert article.get_absolute_url() == "/news/2020/1/15/ferry-returns/"


def test_an_edited_status_moves_the_piece_through_the_workflow(run_import, wxr_copy):
    run_import("basic.xml")
    edited = wxr_copy(
        "basic.xml",
        (
            "<wp:status><![CDATA[draft]]></wp:status>",
            "<wp:status><![CDATA[publish]]></wp:status>",
        ),
    )
    run_import(edited)
    record = ImportedItem.objects.get(kind="post", wp_id="11")
    assert Article.objects.get(pk=record.object_id).is_published()


def test_an_interrupted_import_carries_on_where_it_stopped(run_import, monkeypatch):
    # New posts are mapped one by one, then written per batch.
    real = posts.Posts._prepare_new
    calls = {"n": 0}

    def stop_at_the_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(posts.Posts, "_prepare_new", stop_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        run_import("basic.xml", batch_size=1)
    assert Article.objects.count() == 2
    monkeypatch.setattr(posts.Posts, "_prepare_new", real)
    report = run_import("basic.xml", batch_size=1)
    assert report.counts["post"]["unchanged"] == 2
    assert report.counts["post"]["created"] == 3
    assert Article.objects.count() == 5


def test_a_post_that_fails_is_named_with_its_id_and_reason(run_import, monkeypatch):
    real = posts.Posts._prepare_new

    def refuse_regatta(self, item, *args, **kwargs):
        if item.post_id == "15":
            raise ValueError("the regatta refuses to come in")
        return real(self, item, *args, **kwargs)

    monkeypatch.setattr(posts.Posts, "_prepare_new", refuse_regatta)
    report = run_import("basic.xml")
    assert report.counts["post"]["failed"] == 1
    assert report.counts["post"]["created"] == 4
    assert {
        "kind": "post",
        "id": "15",
        "outcome": "failed",
        "reason": "ValueError: the regatta refuses to come in",
        "file": report.files[0],
    } in report.problems
    assert not ImportedItem.objects.filter(kind="post", wp_id="15").exists()


def test_a_post_refused_in_the_batch_write_is_named_and_the_rest_go_in(
    run_import, monkeypatch
):
    from core.importers.wordpress import new_posts

    real = new_posts.article_create_many

    def break_regatta(*, user, rows):
        for row in rows:
            if row.fields["headline"].startswith("Regatta"):
                row.fields["section"] = None  # its checks refuse it
        return real(user=user, rows=rows)

    monkeypatch.setattr(new_posts, "article_create_many", break_regatta)
    report = run_import("basic.xml")
    assert report.counts["post"]["failed"] == 1
    assert report.counts["post"]["created"] == 4
    [problem] = [p for p in report.problems if p["outcome"] == "failed"]
    assert problem["id"] == "15"
    assert problem["reason"].startswith("section:")
    assert not ImportedItem.objects.filter(kind="post", wp_id="15").exists()
    assert Article.objects.count() == 4


def test_a_batch_whose_write_fails_goes_in_post_by_post(run_import, monkeypatch):
    from core.importers.wordpress import new_posts

    calls = {"n": 0}
    real = new_posts.article_paths_add_many

    def fail_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the disk hiccups")
        return real(**kwargs)

    monkeypatch.setattr(new_posts, "article_paths_add_many", fail_once)
    report = run_import("basic.xml")
    # The batch's bulk write was rolled back whole, then each post went in
    # on its own: no duplicates, counts exact.
    assert report.counts["post"]["created"] == 5
    assert report.counts["post"]["failed"] == 0
    assert Article.objects.count() == 5
    assert ImportedItem.objects.filter(kind="post").count() == 5
    assert Comment.objects.count() == report.counts["comment"]["created"]
    again = run_import("basic.xml")
    assert again.counts["post"]["unchanged"] == 5


def test_a_dry_run_writes_nothing_and_reports_what_it_would_do(run_import):
    report = run_import("basic.xml", dry_run=True)
    assert report.counts["post"]["created"] == 5
    assert not Article.objects.exists()
    assert not ImportedItem.objects.exists()


def _many_posts(tmp_path, count):
    from .conftest import WXR

    text = (WXR / "coauthors.xml").read_text()
    start = text.index("\t<item>\n\t\t<title>Two names")
    end = text.index("</item>", start) + len("</item>")
    template = text[start:end]
    items = "\n".join(
        template.replace("<wp:post_id>3<", f"<wp:post_id>{100 + n}<")
        .replace("two-names", f"two-names-{n}")
        .replace("?p=3", f"?p={100 + n}")
        for n in range(count)
    )
    path = tmp_path / f"many-{count}.xml"
    path.write_text(text[:start] + items + text[end:])
    return path


def test_queries_per_post_do_not_grow_with_the_number_of_posts(run_import, tmp_path):
    run_import("coauthors.xml")  # the authors exist; what remains is per post
    totals = {}
    for size in (3, 12):
        with CaptureQueriesContext(connection) as queries:
            run_import(_many_posts(tmp_path, size))
        totals[size] = len(queries)
    # Each further new post costs its own checks and look-ups (savepoint,
    # free slug, attachments, full_clean): its writes are the batch's.
    per_post = (totals[12] - totals[3]) / 9
    assert per_post <= 12
    assert totals[12] <= 12 * 12 + (totals[3] - 3 * per_post)


def test_an_unchanged_post_costs_no_write(run_import, tmp_path):
    path = _many_posts(tmp_path, 12)
    run_import(path)
    with CaptureQueriesContext(connection) as queries:
        report = run_import(path)
    assert report.counts["post"]["unchanged"] == 12
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    # The raw item's digest settles it: no savepoint, no mapping and no
    # attachment look-up per post, only a few look-ups per batch.
    assert len(queries) <= 12


def test_an_unchanged_rerun_costs_the_same_queries_for_more_posts(run_import, tmp_path):
    totals = {}
    for size in (3, 12):
        path = _many_posts(tmp_path, size)
        run_import(path)
        with CaptureQueriesContext(connection) as queries:
            report = run_import(path)
        assert report.counts["post"]["unchanged"] == size
        totals[size] = len(queries)
    assert totals[12] == totals[3]


def test_a_newly_stored_attachment_sends_an_unchanged_post_the_full_way(
    run_import, tmp_path, monkeypatch
):
    path = _many_posts(tmp_path, 3)
    run_import(path)
    # A stored attachment may now rewrite a body: the raw digest must miss.
    ImportedItem.objects.create(
        source="elsewhere", kind=ImportedItem.Kind.ATTACHMENT, wp_id="1"
    )
    mapped = []
    original = posts.Posts._map
    monkeypatch.setattr(
        posts.Posts,
        "_map",
        lambda self, item, *args: (
            mapped.append(item.post_id) or original(self, item, *args)
        ),
    )
    report = run_import(path)
    assert report.counts["post"]["unchanged"] == 3
    assert len(mapped) == 3


def _analyzed(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("ANALYZE")
    ]


def test_an_import_that_wrote_refreshes_the_planners_statistics(run_import, tmp_path):
    # Without it, a re-run straight after a big first import planned its
    # look-ups with the empty tables' sizes (67 ms each instead of 0.2 ms).
    with CaptureQueriesContext(connection) as queries:
        run_import(_many_posts(tmp_path, 3))
    tables = " ".join(_analyzed(queries))
    for model in (ImportedItem, Article, Comment):
        assert model._meta.db_table in tables


def test_an_unchanged_rerun_leaves_the_statistics_alone(run_import, tmp_path):
    path = _many_posts(tmp_path, 3)
    run_import(path)
    with CaptureQueriesContext(connection) as queries:
        run_import(path)
    assert _analyzed(queries) == []
