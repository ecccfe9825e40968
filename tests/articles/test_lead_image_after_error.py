"""A chosen lead image after a form error: the field says it must be chosen again."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.articles.test_admin_images import post_with_image
from tests.articles.test_images import noisy_jpeg
from tests.articles.test_roles import article_form
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db


def test_a_good_image_lost_to_another_error_is_named_next_to_the_field(client, editor):
    client.force_login(editor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = article_form(
        SectionFactory(),
        headline="",
        lead_image=SimpleUploadedFile(
            "Tokyo Talks.jpg", noisy_jpeg((800, 600)), content_type="image/jpeg"
        ),
    )
    response = client.post(reverse("admin:articles_article_add"), form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_image"]
    assert errors == [
        "Nothing was saved, so the image you chose (Tokyo Talks.jpg) was not "
        "kept: choose it again before saving."
    ]
    assert not Article.objects.exists()


def test_a_refused_image_keeps_only_its_own_error(client, editor):
    client.force_login(editor)

    response = post_with_image(client, b"GIF89a but not really")

    errors = response.context["adminform"].form.errors["lead_image"]
    assert len(errors) == 1
    assert errors[0].startswith("This file is not an image we can read.")


def test_a_form_error_without_an_image_adds_nothing_to_the_field(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(SectionFactory(), headline=""),
    )

    assert "lead_image" not in response.context["adminform"].form.errors
