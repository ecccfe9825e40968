"""Readers comment and report in Chromium; a moderator approves in the admin."""

import re

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment, ModerationSettings
from core.roles import MODERATORS
from tests.e2e.test_editor_flow import log_in
from tests.factories import ArticleFactory, CommentFactory, UserFactory


@pytest.fixture
def discussion(settings):
    """An article with one approved comment; readers told apart by address."""
    # Each browser context sends its own X-Forwarded-For, as readers behind
    # one proxy would; the rate limits and reports see different addresses.
    settings.NEWSROOM_COMMENTS_PROXY_COUNT = 1
    config = ModerationSettings.load()
    config.rate_short_count = 5  # the reader posts a comment, then a reply
    config.report_threshold = 2
    config.notify_moderators = False
    config.save()
    article = ArticleFactory(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”"
    )
    CommentFactory(
        article=article,
        author_name="Takeshi",
        body="From Osaka: people mostly ask what it costs.",
    )
    return article


def reader(new_page, address: str, **options) -> Page:
    return new_page(extra_http_headers={"X-Forwarded-For": address}, **options)


def fill_comment(page: Page, text: str, name="Hannah M.", email="hannah@example.org"):
    form = page.locator("#comment-form")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Email", exact=True).fill(email)
    form.get_by_label("Comment").fill(text)
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()


def test_comment_reply_approval_and_report(new_page, discussion):
    article = discussion
    takeshi = Comment.objects.get(author_name="Takeshi")

    # A reader posts a comment; as a first-time commenter it is held, and
    # only they see it, in place, marked as awaiting moderation.
    hannah = reader(new_page, "203.0.113.10")
    hannah.goto(article.get_absolute_url())
    fill_comment(hannah, "Would the treaty include a mutual defence clause?")
    comment = Comment.objects.get(body__startswith="Would the treaty")
    expect(hannah).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    held = hannah.locator(f"#comment-{comment.pk}")
    expect(held).to_contain_text("Awaiting moderation")
    expect(held).to_contain_text("mutual defence clause")

    # Then a reply: the form moves under Takeshi's comment.
    hannah.locator(f"#comment-{takeshi.pk}").get_by_role("link", name="Reply").click()
    expect(hannah.locator("#respond-title")).to_have_text("Reply to Takeshi")
    expect(hannah.locator(f"#comment-{takeshi.pk} #comment-form")).to_be_visible()
    fill_comment(hannah, "Costs are the question here too.")
    reply = Comment.objects.get(parent=takeshi)
    nested = hannah.locator(
        f"#comment-{takeshi.pk} > .comment-replies > #comment-{reply.pk}"
    )
    expect(nested).to_contain_text("Awaiting moderation")
    expect(hannah.locator(f"#comment-{comment.pk}")).to_contain_text(
        "Awaiting moderation"
    )

    # Another reader sees neither.
    sam = reader(new_page, "203.0.113.20")
    sam.goto(article.get_absolute_url())
    expect(sam.locator("#comments-title")).to_have_text("1 comment")
    expect(sam.locator(".comment-held")).to_have_count(0)
    expect(sam.get_by_text("mutual defence clause")).to_have_count(0)

    # A moderator approves both at once from the queue.
    UserFactory(username="moderator", groups=[MODERATORS])
    desk = new_page()
    log_in(desk, "moderator")
    desk.goto("/admin/comments/comment/")
    rows = desk.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(desk.locator("#result_list")).to_contain_text("first-time")
    for pk in (comment.pk, reply.pk):
        desk.locator(f"input[name=_selected_action][value='{pk}']").check()
    desk.locator("select[name=action]").select_option("approve_comments")
    desk.locator("input[name=reason]").fill("Both on topic.")
    desk.locator("button[name=index]").click()
    expect(desk.locator(".messagelist .success")).to_have_text("2 comments approved.")

    # The second reader now sees both, the reply under Takeshi's comment.
    sam.reload()
    expect(sam.locator("#comments-title")).to_have_text("3 comments")
    expect(sam.locator(f"#comment-{comment.pk}")).to_contain_text(
        "mutual defence clause"
    )
    expect(
        sam.locator(f"#comment-{takeshi.pk} > .comment-replies > #comment-{reply.pk}")
    ).to_contain_text("Costs are the question here too.")
    expect(sam.locator(".comment-held")).to_have_count(0)

    # Two readers report the comment; at the threshold it leaves view.
    for page, address in ((sam, None), (reader(new_page, "203.0.113.30"), "x")):
        if address:
            page.goto(article.get_absolute_url())
        item = page.locator(f"#comment-{comment.pk}")
        item.get_by_role("link", name="Report").click()
        item.get_by_label("Spam").check()
        item.get_by_role("button", name="Send report").click()
        expect(item.get_by_role("status")).to_have_text(
            "Thank you. A moderator will look at this comment."
        )
    assert Comment.objects.get(pk=comment.pk).hidden_at is not None

    later = reader(new_page, "203.0.113.40")
    later.goto(article.get_absolute_url())
    expect(later.locator("#comments-title")).to_have_text("2 comments")
    expect(later.locator(f"#comment-{comment.pk}")).to_have_count(0)
    expect(later.locator(f"#comment-{reply.pk}")).to_be_visible()

    # And it waits in the moderators' queue, marked as hidden by reports.
    desk.goto("/admin/comments/comment/")
    expect(desk.locator("#result_list")).to_contain_text("hidden by reports")


def test_without_javascript_a_reader_posts_and_sees_their_held_comment(
    new_page, discussion
):
    article = discussion
    page = reader(new_page, "203.0.113.50", java_script_enabled=False)
    page.goto(article.get_absolute_url())

    fill_comment(page, "Posted with scripts turned off.\nTwo lines.")

    comment = Comment.objects.get(body__startswith="Posted with scripts")
    expect(page).to_have_url(
        re.compile(rf"/comments/{article.pk}/#comment-{comment.pk}$")
    )
    held = page.locator(f"#comment-{comment.pk}")
    expect(held).to_contain_text("Awaiting moderation")
    expect(held.locator(".comment-body p")).to_have_text(
        "Posted with scripts turned off.Two lines."
    )


def test_a_rate_limited_reader_keeps_their_text(new_page, discussion):
    article = discussion
    config = ModerationSettings.load()
    config.rate_short_count = 1
    config.save()
    page = reader(new_page, "203.0.113.60")
    page.goto(article.get_absolute_url())
    fill_comment(page, "A first thought.")
    expect(page.locator(".comment-held")).to_have_count(1)

    fill_comment(page, "A second thought, too soon.")

    expect(page.get_by_role("alert").first).to_contain_text(
        "You are commenting faster than we allow"
    )
    expect(page.get_by_label("Comment")).to_have_value("A second thought, too soon.")
    assert Comment.objects.count() == 2  # Takeshi's and the first thought
