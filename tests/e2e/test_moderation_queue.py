"""The moderators' queue in Chromium: no comment a reader can post breaks it."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment, ModerationSettings
from core.roles import MODERATORS
from tests.e2e.test_comments_flow import fill_comment, reader
from tests.e2e.test_editor_flow import log_in
from tests.factories import ArticleFactory, CommentFactory, ReportFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
HOSTILE = "A" * 5000
DECISION_COLUMNS = [
    "commenter",
    "article_link",
    "status_label",
    "reports_column",
    "rule_column",
]


@pytest.fixture
def queue(settings):
    settings.NEWSROOM_COMMENTS_PROXY_COUNT = 1
    config = ModerationSettings.load()
    config.notify_moderators = False
    config.save()
    article = ArticleFactory(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”"
    )
    for n in range(3):
        comment = CommentFactory(
            article=article,
            author_name=f"Reader {n}",
            body="A fair question about the costs of the treaty. " * (n + 1),
        )
        ReportFactory(comment=comment)
    UserFactory(username="moderator", groups=[MODERATORS])
    return article


def measure(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/admin/comments/comment/")
    table = page.locator("#result_list")
    expect(table).to_be_visible()
    box = table.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width, f"the table is {box['width']} px wide"
    for column in DECISION_COLUMNS:
        header = page.locator(f"#result_list thead th.column-{column}")
        cell = box_of(header)
        assert cell["x"] >= 0 and cell["x"] + cell["width"] <= width, column
        assert cell["width"] >= 60, (
            f"{column} is {cell['width']} px, too narrow to read"
        )
    for row in page.locator("#result_list tbody tr").all():
        assert box_of(row)["height"] <= 160, "a row grew taller than a few lines"


def box_of(locator):
    box = locator.bounding_box()
    assert box is not None
    return box


def test_a_hostile_comment_leaves_the_decision_columns_in_view(
    new_page, queue, tmp_path
):
    # A reader posts one word of 5,000 letters, through the form.
    hostile = reader(new_page, "203.0.113.66")
    hostile.goto(queue.get_absolute_url())
    fill_comment(hostile, HOSTILE, name="B" * 80)
    comment = Comment.objects.get(body=HOSTILE)

    desk = new_page(viewport={"width": 1280, "height": 800})
    log_in(desk, "moderator")
    measure(desk, 1280)
    folded = desk.locator(f"#result_list tr:has(input[value='{comment.pk}']) details")
    expect(folded.locator("summary")).to_contain_text("more")
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    desk.screenshot(path=folder / "moderation-queue.png")

    # The whole comment is one toggle away, and still inside its column.
    folded.locator("summary").click()
    expect(folded.locator(".comment-full")).to_be_visible()
    measure(desk, 1024)
