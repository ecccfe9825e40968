"""The chosen lead image survives a form error: kept privately under a signed
token, validated by content on the next try, and refused once old or altered."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.images import kept
from articles.models import Article
from tests.articles.test_admin_images import post_with_image
from tests.articles.test_images import noisy_jpeg
from tests.articles.test_roles import article_form
from tests.factories import SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

LOST = (
    "The image you chose before is no longer kept (after an hour, or the page "
    "was altered): choose it again, or save again without it."
)


@pytest.fixture
def section():
    return SectionFactory()


ALT = "Ministers shake hands in Tokyo"


def post_add(client, section, **overrides):
    overrides.setdefault("lead_image_alt", ALT)
    return client.post(
        reverse("admin:articles_article_add"), article_form(section, **overrides)
    )


def fail_with_an_image(client, section, name="Tokyo Talks.jpg"):
    """A try with a good image and a missing headline; the kept token."""
    response = post_add(
        client,
        section,
        headline="",
        lead_image=SimpleUploadedFile(
            name, noisy_jpeg((800, 600)), content_type="image/jpeg"
        ),
    )
    assert response.status_code == 200
    return response, response.context["adminform"].form.data["lead_image_kept"]


def test_the_image_is_kept_across_an_error_and_saved_on_the_next_try(
    client, editor, section
):
    client.force_login(editor)

    response, token = fail_with_an_image(client, section)

    page = response.content.decode()
    assert "Your image Tokyo Talks.jpg is kept; choose another to replace it." in page
    assert f'name="lead_image_kept" value="{token}"' in page
    assert "lead_image" not in response.context["adminform"].form.errors
    # Kept out of the public media store.
    assert not default_storage.exists("articles")
    assert not Article.objects.exists()

    response = post_add(client, section, lead_image_kept=token)

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.lead_image.name.startswith("articles/")
    assert {r["width"] for r in article.lead_image_renditions} >= {320, 640}


def test_a_kept_image_survives_a_second_error_too(client, editor, section):
    client.force_login(editor)
    _response, token = fail_with_an_image(client, section)

    response = post_add(client, section, headline="", lead_image_kept=token)

    assert "Your image Tokyo Talks.jpg is kept" in response.content.decode()
    token = response.context["adminform"].form.data["lead_image_kept"]
    assert post_add(client, section, lead_image_kept=token).status_code == 302
    assert Article.objects.get().lead_image


def test_an_expired_token_asks_for_the_image_again_and_saves_nothing(
    client, editor, section
):
    client.force_login(editor)
    _response, token = fail_with_an_image(client, section)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = post_add(client, section, lead_image_kept=token)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["lead_image"] == [LOST]
    assert not Article.objects.exists()
    # The lost token is not carried again: saving once more goes without it.
    form_data = response.context["adminform"].form.data
    assert form_data["lead_image_kept"] == ""
    assert post_add(client, section, lead_image_kept="").status_code == 302
    assert not Article.objects.get().lead_image


@pytest.mark.parametrize("who", ["altered", "another user"])
def test_an_altered_or_borrowed_token_gives_no_image(client, editor, section, who):
    client.force_login(editor)
    _response, token = fail_with_an_image(client, section)
    if who == "altered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        client.force_login(UserFactory(username="other", is_superuser=True))

    response = post_add(client, section, lead_image_kept=token)

    assert response.context["adminform"].form.errors["lead_image"] == [LOST]
    assert not Article.objects.exists()


def test_a_refused_image_is_not_kept(client, editor):
    client.force_login(editor)

    response = post_with_image(client, b"GIF89a but not really")

    form = response.context["adminform"].form
    assert len(form.errors["lead_image"]) == 1
    assert form.errors["lead_image"][0].startswith(
        "This file is not an image we can read."
    )
    assert form.data["lead_image_kept"] == ""


def test_a_form_error_without_an_image_adds_nothing_to_the_field(
    client, editor, section
):
    client.force_login(editor)

    response = post_add(client, section, headline="")

    assert "lead_image" not in response.context["adminform"].form.errors
    assert "is kept" not in response.content.decode()


def test_without_a_cache_to_keep_it_the_field_says_choose_it_again(
    client, editor, section, monkeypatch
):
    monkeypatch.setattr(kept.cache, "has_key", lambda key: False)
    client.force_login(editor)

    response, token = fail_with_an_image(client, section)

    assert token == ""
    assert response.context["adminform"].form.errors["lead_image"] == [
        "Nothing was saved, and the image you chose (Tokyo Talks.jpg) could not "
        "be kept: choose it again before saving."
    ]


def test_the_kept_file_name_is_shown_as_text(client, editor, section):
    client.force_login(editor)

    name = "<img src=x onerror=alert(1)>.jpg"
    response, _token = fail_with_an_image(client, section, name=name)

    page = response.content.decode()
    assert "Your image &lt;img src=x onerror=alert(1)&gt;.jpg is kept" in page
    assert "<img src=x" not in page
