"""The reply form remembers the reader's name and email, only if they ask."""

from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.e2e.test_comments_flow import discussion, reader  # noqa: F401

REMEMBER = "Remember my name and email in this browser"


def post(page: Page, text: str, *, keep: bool) -> None:
    form = page.locator("#comment-form")
    form.get_by_label("Name", exact=True).fill("Hannah M.")
    form.get_by_label("Email", exact=True).fill("hannah@example.org")
    form.get_by_label("Comment").fill(text)
    form.get_by_label(REMEMBER).set_checked(keep)
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()


def open_reply(page: Page, article) -> None:
    takeshi = Comment.objects.get(author_name="Takeshi")
    page.goto(article.get_absolute_url())
    page.locator(f"#comment-{takeshi.pk}").get_by_role("link", name="Reply").click()
    expect(page.locator(f"#comment-{takeshi.pk} #comment-form")).to_be_visible()


def test_with_consent_the_reply_form_is_filled_in(new_page, discussion):  # noqa: F811
    hannah = reader(new_page, "203.0.113.10")
    hannah.goto(discussion.get_absolute_url())
    post(hannah, "Would the treaty include a mutual defence clause?", keep=True)

    open_reply(hannah, discussion)
    form = hannah.locator("#comment-form")
    expect(form.get_by_label("Name", exact=True)).to_have_value("Hannah M.")
    expect(form.get_by_label("Email", exact=True)).to_have_value("hannah@example.org")
    expect(form.get_by_label(REMEMBER)).to_be_checked()

    # Unticking it and posting again forgets them.
    form.get_by_label("Comment").fill("And what would it cost?")
    form.get_by_label(REMEMBER).uncheck()
    with hannah.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    open_reply(hannah, discussion)
    expect(form.get_by_label("Name", exact=True)).to_have_value("")


def test_without_consent_nothing_is_remembered(new_page, discussion):  # noqa: F811
    hannah = reader(new_page, "203.0.113.11")
    hannah.goto(discussion.get_absolute_url())
    post(hannah, "Would the treaty include a mutual defence clause?", keep=False)

    open_reply(hannah, discussion)
    form = hannah.locator("#comment-form")
    expect(form.get_by_label("Name", exact=True)).to_have_value("")
    expect(form.get_by_label("Email", exact=True)).to_have_value("")
    assert hannah.evaluate("() => window.localStorage.length") == 0
