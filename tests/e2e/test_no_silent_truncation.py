"""Pasting past a limit in Chromium: the text is kept and the person told."""

from playwright.sync_api import expect

from core.roles import EDITORS
from tests.e2e.test_comments_flow import discussion, reader  # noqa: F401
from tests.e2e.test_editor_flow import log_in
from tests.factories import UserFactory


def test_a_pasted_20000_character_comment_is_kept_and_refused_aloud(
    new_page,
    discussion,  # noqa: F811
):
    page = reader(new_page, "203.0.113.30")
    page.goto(discussion.get_absolute_url())
    form = page.locator("#comment-form")
    form.get_by_label("Name", exact=True).fill("Hannah M.")
    form.get_by_label("Email", exact=True).fill("hannah@example.org")
    body = form.get_by_label("Comment")
    body.focus()
    page.keyboard.insert_text("y" * 20_000)  # as a paste arrives

    expect(body).to_have_js_property("value", "y" * 20_000)
    counter = form.locator("textarea + .char-count")
    expect(counter).to_be_visible()
    expect(counter).to_contain_text("20000 characters; at most 5000")

    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#id_comment_body_error")).to_contain_text(
        "Please keep your comment under 5000 characters (it has 20000)"
    )
    expect(page.get_by_label("Comment")).to_have_js_property("value", "y" * 20_000)


def test_a_pasted_500_character_headline_is_kept_with_a_message(new_page):
    UserFactory(username="editor", groups=[EDITORS])
    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, "editor")
    page.goto("/admin/articles/article/add/")
    headline = page.locator("#id_headline")
    headline.focus()
    page.keyboard.insert_text("H" * 500)

    expect(headline).to_have_js_property("value", "H" * 500)
    expect(page.locator("#id_headline + .char-count")).to_contain_text(
        "500 characters; at most 255"
    )
