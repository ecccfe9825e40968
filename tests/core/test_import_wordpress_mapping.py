"""States, dates, sections, tags and slugs of imported posts."""

from datetime import UTC, datetime

from articles.models import Article, Section
from core.models import ImportedItem


def test_a_published_post_keeps_its_original_time_in_utc(run_import):
    run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    assert article.is_published()
    assert article.publish_at == datetime(2020, 1, 15, 8, 30, tzinfo=UTC)
    assert article.first_published_at == article.publish_at


def test_a_draft_with_a_zero_date_comes_in_as_an_undated_draft(run_import):
    run_import("basic.xml")
    record = ImportedItem.objects.get(kind="post", wp_id="11")
    article = Article.objects.get(pk=record.object_id)
    assert article.status == Article.Status.DRAFT
    assert article.publish_at is None
    assert article.slug == "council-budget-first-draft"


def test_a_password_protected_post_is_a_draft_and_listed(run_import):
    report = run_import("basic.xml")
    article = Article.objects.get(slug="members-notes")
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert {
        "kind": "post",
        "id": "12",
        "note": ("password-protected: imported as a draft, never public"),
    } in report.notes


def test_a_future_post_is_scheduled_at_its_time(run_import):
    run_import("basic.xml")
    article = Article.objects.get(slug="regatta")
    assert article.is_scheduled
    assert article.publish_at == datetime(2099, 7, 1, 10, tzinfo=UTC)


def test_private_posts_pages_and_menu_items_are_skipped_and_counted(run_import):
    report = run_import("basic.xml")
    assert not Article.objects.filter(headline="Private memo").exists()
    assert report.counts["post"]["skipped"] == 1
    assert report.counts["page"]["skipped"] == 1
    assert report.counts["menu item"]["skipped"] == 1
    assert report.counts["post"]["created"] == 5


def test_the_yoast_primary_category_is_the_section_and_the_rest_are_tags(run_import):
    run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    assert article.section.slug == "council"
    assert sorted(tag.name for tag in article.tags.all()) == [
        "Ferries",
        "Harbour & Docks",
    ]


def test_without_a_primary_category_the_first_is_the_section(run_import):
    run_import("basic.xml")
    assert Article.objects.get(slug="ferry-returns-2").section.name == (
        "Harbour & Docks"
    )


def test_a_post_without_category_goes_to_the_default_section(run_import):
    run_import("basic.xml", default_section="archive")
    assert Article.objects.get(slug="regatta").section == Section.objects.get(
        slug="archive"
    )


def test_a_slug_already_taken_gets_a_number(run_import):
    run_import("basic.xml")
    assert Article.objects.get(slug="ferry-returns").headline == (
        "Ferry returns to the north pier"
    )
    assert Article.objects.get(slug="ferry-returns-2").headline == (
        "Ferry returns (second report)"
    )


def test_a_status_map_changes_what_a_wordpress_status_becomes(run_import):
    from core.importers.wordpress.mapping import DEFAULT_STATUS_MAP

    run_import("basic.xml", status_map={**DEFAULT_STATUS_MAP, "private": "draft"})
    assert Article.objects.get(headline="Private memo").status == "draft"
