"""Lost work: an editor's unsaved text survives a reload (autosaved, offered
back, restored, then saved normally, which drops the autosave), and a chosen
lead image survives a form error."""

import time

from playwright.sync_api import Page, expect

from articles.models import Article, Autosave
from core.roles import EDITORS
from tests.articles.test_images import noisy_jpeg
from tests.e2e.test_editor_flow import log_in, pick_autocomplete
from tests.factories import ArticleFactory, SectionFactory, UserFactory

ADDED = "Officials now expect a draft text by spring."


def type_at_the_end_of_the_body(page: Page, text: str) -> None:
    body = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    body.locator("p").last.click()
    page.keyboard.press("End")
    page.keyboard.type(" " + text)
    expect(body).to_contain_text(text)


def test_autosaved_text_is_offered_back_restored_and_saved(page: Page):
    UserFactory(username="editor", groups=[EDITORS])
    article = ArticleFactory(status="draft", publish_at=None, body="<p>Talks.</p>")
    change_url = f"/admin/articles/article/{article.pk}/change/"

    log_in(page, "editor")
    page.goto(change_url)
    type_at_the_end_of_the_body(page, ADDED)
    page.evaluate("window.newsroomAutosave.save()")
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at")
    saved = Autosave.objects.get().data
    assert ADDED in saved["body"]
    # Neither the form's own fields nor the inlines' hidden template rows.
    assert not {"csrfmiddlewaretoken", "loaded_version"} & set(saved)
    assert not [name for name in saved if "__prefix__" in name]

    page.reload()
    offer = page.locator("#autosave-offer")
    expect(offer).to_contain_text("is newer than the saved article")
    body = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    expect(body).not_to_contain_text(ADDED)
    offer.get_by_role("button", name="Restore").click()
    expect(body).to_contain_text(ADDED)
    expect(offer).to_have_count(0)

    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    article = Article.objects.get(pk=article.pk)
    assert ADDED in article.body
    assert not Autosave.objects.exists()
    page.goto(change_url)
    expect(page.locator("#autosave-offer")).to_have_count(0)


def test_leaving_the_page_sends_the_autosave(page: Page):
    UserFactory(username="editor", groups=[EDITORS])
    article = ArticleFactory(status="draft", publish_at=None, body="<p>Talks.</p>")

    log_in(page, "editor")
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.get_by_label("Dek").fill("A dek typed just before the tab was closed.")
    page.goto("/admin/")

    for _attempt in range(50):
        autosave = Autosave.objects.filter(article=article).first()
        if autosave is not None:
            break
        time.sleep(0.1)
    assert autosave is not None
    assert autosave.data["dek"] == "A dek typed just before the tab was closed."
    assert autosave.base_version == article.version


def test_the_chosen_lead_image_is_kept_after_a_form_error(page: Page, tmp_path):
    SectionFactory(name="Defence", slug="defence")
    UserFactory(username="editor", groups=[EDITORS])
    photo = tmp_path / "Tokyo Talks.jpg"
    photo.write_bytes(noisy_jpeg((800, 600)))

    log_in(page, "editor")
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Dek").fill("Two island nations, one security pact.")
    pick_autocomplete(page, "id_section", "Defence")
    page.locator("#id_lead_image").set_input_files(str(photo))
    page.get_by_label("Alt text").fill("Ministers shake hands in Tokyo")
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-lead_image")).to_contain_text(
        "Your image Tokyo Talks.jpg is kept; choose another to replace it."
    )
    page.get_by_label("Headline").fill("UK and Japan Move Towards a Treaty")
    page.locator("#id_slug").fill("uk-and-japan-move-towards-a-treaty")
    page.locator("input[name=_save]").first.click()

    expect(page.locator(".messagelist .success")).to_be_visible()
    article = Article.objects.get()
    assert article.lead_image.name.startswith("articles/")
    assert article.lead_image_renditions


def test_a_new_articles_autosave_is_offered_on_the_add_page(page: Page):
    SectionFactory(name="Defence", slug="defence")
    UserFactory(username="editor", groups=[EDITORS])

    log_in(page, "editor")
    page.goto("/admin/articles/article/add/")
    page.get_by_label("Headline").press_sequentially("Treaty Talks Resume")
    pick_autocomplete(page, "id_section", "Defence")
    page.evaluate("window.newsroomAutosave.save()")
    expect(page.locator("#autosave-status")).to_contain_text("Autosaved at")

    page.reload()
    offer = page.locator("#autosave-offer")
    expect(offer).to_contain_text("never saved")
    offer.get_by_role("button", name="Restore").click()
    expect(page.get_by_label("Headline")).to_have_value("Treaty Talks Resume")
    expect(page.locator("#id_slug")).to_have_value("treaty-talks-resume")
    expect(page.locator("#id_section + .select2")).to_contain_text("Defence")

    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Article.objects.get().headline == "Treaty Talks Resume"
    assert not Autosave.objects.exists()
