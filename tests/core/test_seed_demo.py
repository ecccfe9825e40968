import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article, ArticleAuthor, Author, KeyTakeaway, Section
from comments.models import Comment

pytestmark = pytest.mark.django_db

MODELS = [Article, ArticleAuthor, Author, KeyTakeaway, Section, Comment]


def snapshot():
    rows = {
        model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM articles_taggedarticle")
        rows["tagged"] = cursor.fetchone()[0]
    return rows


def test_seed_demo_loads_the_reference_report(capsys):
    call_command("seed_demo", force=True)

    report = Article.objects.get(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”"
    )
    assert report.is_published()
    assert [str(a) for a in report.byline_authors] == ["Daniel Perez – News Editor"]
    assert report.dek
    assert report.body.count("<h2>") == 4
    assert report.video_title.endswith("日米安全保障条約を読み解く")
    assert report.video is not None
    assert next(t.label for t in report.takeaways.all()) == "Strategic Diversification"
    assert report.takeaways.count() == 4
    assert report.comments.filter(status="approved").count() >= 2
    assert report.comments.filter(status="pending").exists()
    # The stored counts agree with the rows everywhere (the command exits 1 if not).
    assert (
        report.comment_count == Comment.objects.public().filter(article=report).count()
    )
    call_command("repair_comment_counts", "--check")
    assert Article.objects.published().count() >= 12
    assert Article.objects.scheduled().exists()
    assert Article.objects.filter(status="draft").exists()
    assert Section.objects.count() >= 3
    assert Author.objects.count() >= 4
    out = capsys.readouterr().out
    assert "admin" in out and "password" in out


def test_seed_demo_twice_gives_the_same_rows():
    call_command("seed_demo", force=True)
    first = snapshot()
    call_command("seed_demo", force=True)

    assert snapshot() == first


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="known password"):
        call_command("seed_demo")
    assert not Article.objects.exists()


def test_the_reference_report_carries_a_dated_correction(client):
    call_command("seed_demo", force=True)
    report = Article.objects.get(
        slug="uk-considers-security-treaty-with-japan-as-quasi-ally"
    )

    html = client.get(report.get_absolute_url()).content.decode()

    assert report.corrections.public().count() == 1
    assert "Britain and Japan are building it with Italy." in html
