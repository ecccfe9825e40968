"""Comments keep their threads, decisions and commenters; counts are exact."""

from datetime import UTC, datetime

from articles.models import Article
from comments.models import Comment
from core.models import ImportedItem


def test_threads_and_decisions_are_kept(run_import):
    report = run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    comments = {c.author_name: c for c in Comment.objects.filter(article=article)}
    assert set(comments) == {"Ines", "Olek", "Pat", "Cheap pills"}
    assert comments["Olek"].parent == comments["Ines"]
    assert comments["Pat"].parent == comments["Olek"]
    assert comments["Pat"].status == Comment.Status.PENDING
    assert comments["Cheap pills"].status == Comment.Status.SPAM
    assert report.counts["comment"] == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped": 2,
        "failed": 0,
    }


def test_commenters_details_and_dates_are_kept(run_import):
    run_import("basic.xml")
    ines = Comment.objects.get(author_name="Ines")
    assert ines.author_email == "ines@example.net"
    assert ines.ip_address == "192.0.2.7"
    assert ines.created_at == datetime(2020, 1, 15, 9, tzinfo=UTC)
    assert Comment.objects.get(author_name="Olek").ip_address == "2001:db8::5"
    record = ImportedItem.objects.get(kind="comment", object_id=ines.pk)
    assert record.data["url"] == "https://ines.example.net"


def test_an_unusable_email_or_address_is_dropped_not_the_comment(run_import):
    run_import("basic.xml")
    pat = Comment.objects.get(author_name="Pat")
    assert (pat.author_email, pat.ip_address) == ("", None)


def test_the_approved_count_is_exact_after_import_and_after_a_second_run(run_import):
    run_import("basic.xml")
    run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    assert article.comment_count == 2
    assert Comment.objects.filter(article=article).count() == 4
