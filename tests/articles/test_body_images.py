"""Images in article bodies are served from their renditions, as the lead is."""

import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from articles.images import make_renditions
from articles.sanitize import sanitize_body
from tests.articles.test_images import image_bytes
from tests.factories import ArticleFactory
from tests.security.allowlist import body_problems

pytestmark = pytest.mark.django_db

UPLOAD = "uploads/2026/05/ferry.jpg"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    cache.clear()
    yield tmp_path
    cache.clear()


@pytest.fixture
def uploaded():
    """What the editor's upload endpoint stores: the image and its renditions."""
    name = default_storage.save(UPLOAD, ContentFile(image_bytes((1200, 800))))
    make_renditions(name, storage=default_storage)
    return name


def article_html(client, body: str) -> str:
    article = ArticleFactory(body=body)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<div class="article-body') :]


def test_an_uploaded_body_image_gets_its_renditions(client, uploaded):
    html = article_html(client, f'<p><img src="/media/{UPLOAD}" alt="The ferry"></p>')
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group(0)
    assert (
        '<source type="image/webp" srcset="/media/renditions/uploads/2026/05/'
        "ferry-320w.webp 320w, /media/renditions/uploads/2026/05/ferry-640w.webp"
        " 640w, /media/renditions/uploads/2026/05/ferry-960w.webp 960w"
    ) in picture
    assert "/media/renditions/uploads/2026/05/ferry-960w.jpg 960w" in picture
    assert 'width="960" height="640"' in picture
    assert 'alt="The ferry"' in picture
    assert 'sizes="(min-width: 48rem) 42rem, 100vw"' in picture
    assert body_problems(picture) == []


@pytest.mark.parametrize(
    "src",
    [
        "/media/uploads/2026/05/gone.jpg",  # never uploaded, or deleted
        "/media/photos/lead.jpg",  # ours, but not an editor upload
    ],
)
def test_a_missing_or_other_image_is_left_alone(client, uploaded, src):
    html = article_html(client, f'<p><img src="{src}" alt="A"></p>')
    assert f'<img src="{src}" alt="A">' in html
    assert "<picture>" not in html.split("</article>")[0].split("article-body")[1]


def test_the_stored_body_keeps_what_the_editor_wrote(uploaded):
    article = ArticleFactory(body=f'<p><img src="/media/{UPLOAD}" alt="A"></p>')
    article.refresh_from_db()
    assert article.body == f'<p><img src="/media/{UPLOAD}" alt="A"></p>'


def test_the_sanitiser_keeps_only_a_srcset_of_our_files():
    ours = (
        '<picture><source type="image/webp" srcset="/media/r/a-320w.webp 320w" '
        'sizes="100vw"><img src="/media/a.jpg" srcset="/media/r/a-320w.jpg 320w" '
        'sizes="100vw" alt="A"></picture>'
    )
    assert sanitize_body(ours) == ours
    assert (
        sanitize_body(
            '<img src="/media/a.jpg" srcset="/media/a.jpg 320w, '
            'https://evil.example/x.jpg 640w" sizes="x\\" onerror=1">'
        )
        == '<img src="/media/a.jpg">'
    )
    assert (
        sanitize_body(
            '<picture><source type="text/html" srcset="javascript:alert(1) 1w">'
            "</picture>"
        )
        == "<picture></picture>"
    )
