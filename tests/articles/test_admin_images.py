"""Lead images through the editors' form: errors next to the field, renditions once."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from tests.articles.test_images import bomb_png, noisy_jpeg
from tests.articles.test_roles import article_form
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db


def post_with_image(client, data: bytes, name: str = "photo.jpg"):
    form = article_form(
        SectionFactory(),
        lead_image=SimpleUploadedFile(name, data, content_type="image/jpeg"),
        lead_image_alt="Ministers shake hands in Tokyo",
    )
    return client.post(reverse("admin:articles_article_add"), form)


def test_good_image_is_normalised_with_renditions(client, editor):
    client.force_login(editor)

    response = post_with_image(client, noisy_jpeg((1400, 900)), "Tokyo Talks.JPG")

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.lead_image.name.startswith("articles/")
    assert article.lead_image.name.endswith(".jpg")
    widths = sorted({r["width"] for r in article.lead_image_renditions})
    assert widths == [320, 640, 960, 1280]
    formats = {r["format"] for r in article.lead_image_renditions}
    assert formats == {"jpeg", "webp"}
    for rendition in article.lead_image_renditions:
        assert default_storage.exists(rendition["name"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bomb_png(), "The image is 30,000 × 30,000 pixels (900 megapixels)"),
        (b"GIF89a but not really", "This file is not an image we can read."),
    ],
    ids=["bomb", "fake"],
)
def test_bad_image_gets_its_error_next_to_the_field_and_nothing_is_stored(
    client, editor, data, message
):
    client.force_login(editor)

    response = post_with_image(client, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_image"]
    assert errors[0].startswith(message)
    assert "Council approves new cycle lanes" in response.content.decode()
    assert not Article.objects.exists()
    assert not default_storage.exists("articles")
