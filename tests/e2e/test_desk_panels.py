"""The article admin's workflow box in a browser: scheduling, preview links, diff."""

import os
from pathlib import Path

from playwright.sync_api import expect

from articles import services
from articles.models import Article, PreviewLink
from core.roles import EDITORS
from tests.e2e.test_editor_flow import log_in
from tests.factories import ArticleFactory, SectionFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def _folder(tmp_path) -> Path:
    """docs/screenshots/ only with UPDATE_SCREENSHOTS=1, as elsewhere."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _draft():
    return ArticleFactory(
        headline="Ministers meet in Tokyo",
        status="review",
        publish_at=None,
        section=SectionFactory(name="World", slug="world"),
    )


def test_preview_links_sit_beside_the_actions_and_copy_with_one_click(
    new_page, tmp_path
):
    UserFactory(username="editor", groups=[EDITORS])
    article = _draft()
    page = new_page(viewport=DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "editor")
    page.goto(f"/admin/articles/article/{article.pk}/change/")

    page.get_by_role("button", name="Make a preview link").click()

    box = page.locator("#workflow")
    expect(box.locator("#preview-links")).to_be_visible()
    # Above the long form, not below Save and Delete.
    links_top = box.locator("#preview-links").bounding_box()["y"]
    assert links_top < page.locator("#article_form").bounding_box()["y"]
    expect(box.get_by_role("button", name="Revoke")).to_be_visible()
    expect(box).to_contain_text("Works until")
    expect(box).to_contain_text("Europe/London (")

    box.get_by_role("button", name="Copy").click()
    expect(box.locator(".copy-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert PreviewLink.objects.filter(article=article).count() == 1
    assert copied.startswith("http")
    assert copied == box.locator("#preview-url-1").input_value()


def test_scheduling_panel_names_the_zone_and_uses_the_sites_date_format(
    new_page, tmp_path
):
    UserFactory(username="editor", groups=[EDITORS])
    article = _draft()
    page = new_page(viewport=DESKTOP, device_scale_factor=1)
    log_in(page, "editor")
    page.goto(f"/admin/articles/article/{article.pk}/change/")

    schedule = page.locator("form.transition-form", has_text="Schedule")
    # The admin's calendar writes the date as the site does: dd/mm/yyyy.
    schedule.locator(".datetimeshortcuts a", has_text="Today").click()
    value = schedule.locator("input[name=publish_at_0]").input_value()
    day, month, year = value.split("/")
    assert (len(day), len(month), len(year)) == (2, 2, 4)
    expect(schedule).to_contain_text("Europe/London (")
    expect(page.locator("input[type=datetime-local]")).to_have_count(0)
    page.locator("#workflow").screenshot(
        path=_folder(tmp_path) / "scheduling-panel-desktop.png"
    )


def test_the_diff_shows_an_added_image(new_page, tmp_path):
    editor = UserFactory(username="editor", groups=[EDITORS])
    article = _draft()
    for body in (
        '<p>Officials met. See <a href="https://example.org/a">the report</a>.</p>',
        '<h2>Who met?</h2><p>Officials met. See <a href="https://example.org/b">'
        'the report</a>.</p><p><img src="/media/uploads/map.jpg" alt="A map"></p>',
    ):
        article = Article.objects.get(pk=article.pk)
        services.article_update(
            article=article,
            user=editor,
            fields={"body": body},
            expected_version=article.version,
        )
    page = new_page(viewport=DESKTOP, device_scale_factor=1)
    log_in(page, "editor")
    page.goto(f"/admin/articles/article/{article.pk}/history/")
    page.get_by_role("button", name="Compare the chosen revisions").click()

    diff = page.locator(".revision-diff")
    expect(diff).to_contain_text("[image /media/uploads/map.jpg, alt “A map”]")
    expect(diff).to_contain_text("[link to https://example.org/b]")
    expect(diff).to_contain_text("[heading 2]")
    page.screenshot(path=_folder(tmp_path) / "revision-diff-desktop.png")
