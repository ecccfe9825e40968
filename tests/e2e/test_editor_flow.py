"""An editor writes and publishes in the real admin; a writer cannot publish."""

import re

from playwright.sync_api import Page, expect

from articles.models import Article
from core.roles import EDITORS, WRITERS
from tests.factories import AuthorFactory, SectionFactory, UserFactory

PASSWORD = "correct-horse-battery"


def log_in(page: Page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("link", name="Log out").or_(page.locator("#logout-form"))
    ).to_be_visible()


def pick_autocomplete(page: Page, select_id: str, term: str) -> None:
    """Choose an option in one of the admin's Select2 autocomplete widgets."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    option = page.locator(".select2-results__option", has_text=term).first
    expect(option).to_be_visible()
    option.click()


def write_body(page: Page) -> None:
    """Type into CKEditor 4's editing frame: a heading, then a paragraph."""
    editor = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    editor.click()
    page.keyboard.type("What is the objective of the treaty?")
    page.locator(".cke_combo__format .cke_combo_button").click()
    page.frame_locator("iframe.cke_panel_frame").get_by_title("Heading 2").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Officials say talks are at an early stage – “Quasi-Ally”.")
    expect(editor.locator("h2")).to_have_text("What is the objective of the treaty?")


def fill_story(page: Page) -> None:
    page.get_by_label("Headline").press_sequentially(
        "UK and Japan Move Towards a Treaty"
    )
    expect(page.locator("#id_slug")).to_have_value("uk-and-japan-move-towards-a-treaty")
    page.get_by_label("Dek").fill("Two island nations, one security pact.")
    write_body(page)
    pick_autocomplete(page, "id_section", "Defence")
    pick_autocomplete(page, "id_bylines-0-author", "Daniel Perez")
    page.locator("#id_takeaways-0-label").fill("Strategic Diversification")
    page.locator("#id_takeaways-0-text").fill("Japan adds a second close partner.")
    page.get_by_role(
        "button", name=re.compile("Add another key takeaway", re.I)
    ).click()
    page.locator("#id_takeaways-1-label").fill("Early Stage")
    page.locator("#id_takeaways-1-text").fill("No text has been agreed yet.")


def test_editor_writes_and_publishes_and_readers_see_it(page: Page):
    SectionFactory(name="Defence", slug="defence")
    AuthorFactory(name="Daniel Perez", slug="daniel-perez", job_title="News Editor")
    UserFactory(username="editor", groups=[EDITORS])

    log_in(page, "editor")
    page.goto("/admin/articles/article/add/")
    fill_story(page)
    page.get_by_label("Status").select_option("published")
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".messagelist .success")).to_contain_text(
        "was added successfully"
    )
    article = Article.objects.get(slug="uk-and-japan-move-towards-a-treaty")
    assert article.is_published()
    assert "<h2>What is the objective of the treaty?</h2>" in article.body

    reader = page.context.browser.new_context(base_url=page.url.split("/admin")[0])
    public = reader.new_page()
    public.goto(article.get_absolute_url())
    expect(public.locator("h1")).to_have_text("UK and Japan Move Towards a Treaty")
    expect(public.locator(".dek").first).to_have_text(
        "Two island nations, one security pact."
    )
    expect(public.locator(".byline")).to_have_text("by Daniel Perez – News Editor")
    expect(public.locator(".article-body h2")).to_have_text(
        "What is the objective of the treaty?"
    )
    expect(public.locator(".article-body p")).to_contain_text("“Quasi-Ally”")
    expect(public.locator(".takeaways li")).to_have_text(
        [
            "Strategic Diversification: Japan adds a second close partner.",
            "Early Stage: No text has been agreed yet.",
        ]
    )
    reader.close()


def test_writer_cannot_publish(page: Page):
    SectionFactory(name="Defence", slug="defence")
    AuthorFactory(name="Daniel Perez", slug="daniel-perez", job_title="News Editor")
    UserFactory(username="writer", groups=[WRITERS])

    log_in(page, "writer")
    page.goto("/admin/articles/article/add/")
    fill_story(page)
    status = page.get_by_label("Status")
    assert status.locator("option").all_inner_texts() == ["Draft", "In review"]
    # Forge the choice the page does not offer, as a hand-made POST would.
    status.evaluate(
        "select => { select.add(new Option('Published', 'published')); "
        "select.value = 'published'; }"
    )
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-status .errorlist")).to_have_text(
        "Only editors can publish or withdraw a piece. Save it as a draft or "
        "submit it for review, and an editor will publish it."
    )
    # Nothing stored, nothing lost: the headline is still in the form.
    expect(page.get_by_label("Headline")).to_have_value(
        "UK and Japan Move Towards a Treaty"
    )
    assert not Article.objects.exists()

    status.select_option("review")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Article.objects.get().status == Article.Status.REVIEW
