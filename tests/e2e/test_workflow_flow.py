"""The editorial workflow in real browsers: submit, schedule, appear; conflicts."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from core.roles import EDITORS, WRITERS
from tests.e2e.test_editor_flow import log_in
from tests.factories import ArticleFactory, SectionFactory, UserFactory


def test_writer_submits_editor_schedules_and_the_page_appears_on_time(new_page):
    writer = UserFactory(username="writer", groups=[WRITERS])
    UserFactory(username="editor", groups=[EDITORS])
    article = ArticleFactory(
        headline="Ministers meet in Tokyo",
        status="draft",
        publish_at=None,
        created_by=writer,
        section=SectionFactory(name="World", slug="world"),
    )
    change_url = f"/admin/articles/article/{article.pk}/change/"

    writer_page = new_page()
    log_in(writer_page, "writer")
    writer_page.goto(change_url)
    expect(writer_page.get_by_role("button", name="Publish now")).to_have_count(0)
    writer_page.get_by_role("button", name="Submit for review").click()
    expect(writer_page.locator(".messagelist .success")).to_contain_text(
        "is waiting for review"
    )
    assert Article.objects.get(pk=article.pk).status == "review"

    editor_page = new_page()
    log_in(editor_page, "editor")
    editor_page.goto(change_url)
    when = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    schedule = editor_page.locator("form.transition-form", has_text="Schedule")
    # The site's locale (en-gb): day first, as the admin writes dates.
    schedule.locator("input[name=publish_at_0]").fill(when.strftime("%d/%m/%Y"))
    schedule.locator("input[name=publish_at_1]").fill(when.strftime("%H:%M"))
    expect(schedule).to_contain_text("Europe/London (")
    schedule.get_by_role("button", name="Schedule").click()
    expect(editor_page.locator(".workflow-box")).to_contain_text("Scheduled for")

    article.refresh_from_db()
    assert article.is_scheduled and article.publish_at == when
    reader = new_page()
    assert reader.goto(article.get_absolute_url()).status == 404
    with time_machine.travel(when + timedelta(seconds=5)):
        response = reader.goto(article.get_absolute_url())
        assert response.status == 200
        expect(reader.locator("h1")).to_have_text("Ministers meet in Tokyo")


def test_second_editor_sees_the_conflict_and_keeps_their_text(new_page):
    UserFactory(username="editor", groups=[EDITORS])
    UserFactory(username="desk-chief", groups=[EDITORS])
    article = ArticleFactory(
        headline="Original headline", status="draft", publish_at=None
    )
    change_url = f"/admin/articles/article/{article.pk}/change/"
    first, second = new_page(), new_page()
    log_in(first, "editor")
    log_in(second, "desk-chief")
    first.goto(change_url)
    second.goto(change_url)
    # Each sees that the other has the piece open.
    first.reload()
    expect(first.locator("#presence")).to_contain_text("desk-chief")

    first.get_by_label("Headline").fill("The first editor's headline")
    first.locator("input[name=_continue]").first.click()
    expect(first.locator(".messagelist .success")).to_be_visible()

    second.get_by_label("Headline").fill("The second editor's headline")
    second.locator("input[name=_continue]").first.click()

    expect(second.locator(".errorlist").first).to_contain_text(
        "editor saved this article at"
    )
    expect(second.locator(".errorlist").first).to_contain_text("Headline")
    expect(second.get_by_label("Headline")).to_have_value(
        "The second editor's headline"
    )
    assert Article.objects.get(pk=article.pk).headline == "The first editor's headline"
