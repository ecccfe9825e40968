"""
Media in an S3-compatible bucket (MEDIA_STORAGE=s3), against a real server.

moto's S3 server runs as a subprocess on 127.0.0.1 (tests/stack/s3.py); the
site's default storage is django-storages' S3Storage configured by
newsroom.settings.storage. Every check reads the bucket through boto3 or over
HTTP, never through the site's own code, and checks MEDIA_ROOT stays empty.
"""

from __future__ import annotations

import io
import re
import urllib.request
from xml.etree import ElementTree

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.images import NOT_IMAGE_MESSAGE
from articles.images import renditions as renditions_module
from articles.models import Article, Author
from articles.services import author_save
from tests.articles.test_admin_images import post_with_image
from tests.articles.test_article_page import jsonld_blocks
from tests.articles.test_images import bomb_png, image_bytes, noisy_jpeg
from tests.factories import ArticleFactory, AuthorFactory
from tests.security.test_uploads import via_author_photo

pytestmark = [pytest.mark.stack, pytest.mark.django_db]

CK_TOKEN = "a" * 20 + "B" * 20


def local_files() -> list[str]:
    root = django_settings.MEDIA_ROOT
    return (
        sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    )


def fetch(url: str) -> tuple[bytes, str]:
    """GET a media URL anonymously, as a reader's browser would."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers.get("Content-Type", "")


def decodes_as(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format


def editor_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["ckCsrfToken"] = CK_TOKEN
    return client


def editor_post(client: Client, data: bytes, name: str = "Harbour View.JPG"):
    upload = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.post(
        reverse("ckeditor_upload"), {"upload": upload, "ckCsrfToken": CK_TOKEN}
    )


# Uploads ------------------------------------------------------------------------


def test_admin_lead_image_and_renditions_are_stored_in_the_bucket(
    client, editor, bucket
):
    client.force_login(editor)

    response = post_with_image(client, noisy_jpeg((1400, 900)), "Tokyo Talks.JPG")

    assert response.status_code == 302
    article = Article.objects.get()
    names = [article.lead_image.name] + [
        r["name"] for r in article.lead_image_renditions
    ]
    assert sorted(names) == bucket.keys()
    assert len(names) == 1 + 4 * 2  # the original, 4 widths × (JPEG, WebP)
    assert article.lead_image.url == bucket.media_url + article.lead_image.name
    for rendition in article.lead_image_renditions:
        data, content_type = fetch(bucket.media_url + rendition["name"])
        assert data == bucket.read(rendition["name"])
        assert len(data) == rendition["bytes"]
        expected = {"jpeg": "JPEG", "webp": "WEBP"}[rendition["format"]]
        assert decodes_as(data) == expected
        assert content_type == f"image/{rendition['format']}"
    assert local_files() == []


def test_admin_author_photo_and_renditions_are_stored_in_the_bucket(
    client, bucket, django_user_model
):
    client.force_login(django_user_model.objects.create_superuser("chief"))

    response = via_author_photo(client, "Portrait.png", image_bytes((500, 500), "PNG"))

    assert response.status_code == 302
    author = Author.objects.get()
    names = [author.photo.name] + [r["name"] for r in author.photo_renditions]
    assert sorted(names) == bucket.keys()
    assert len(names) == 1 + 2  # one width below 500 (320), PNG and WebP
    html = client.get(author.get_absolute_url()).content.decode()
    person = jsonld_blocks(html)[0]
    assert person["image"].startswith(bucket.media_url + "renditions/authors/")
    assert bucket.media_url + "renditions/authors/" in html  # the <picture>
    assert local_files() == []


def test_same_file_name_twice_gets_two_objects(editor, bucket):
    # django-storages overwrites by default; our settings turn that off.
    first = editor_post(editor_client(editor), noisy_jpeg((400, 300)), "same.jpg")
    second = editor_post(editor_client(editor), noisy_jpeg((400, 300)), "same.jpg")

    urls = {first.json()["url"], second.json()["url"]}
    assert len(urls) == 2
    for url in urls:
        assert url.removeprefix(bucket.media_url) in bucket.keys()


def test_editor_upload_is_stored_in_the_bucket_with_its_renditions(editor, bucket):
    response = editor_post(editor_client(editor), noisy_jpeg((700, 500)))

    answer = response.json()
    assert answer["uploaded"] == 1
    assert answer["url"].startswith(bucket.media_url + "uploads/")
    name = answer["url"].removeprefix(bucket.media_url)
    stem = name.rsplit("/", 1)[1].rsplit(".", 1)[0]
    assert bucket.keys() == sorted(
        [name]
        + [
            f"renditions/{name.rsplit('/', 1)[0]}/{stem}-{width}w.{ext}"
            for width in (320, 640)
            for ext in ("jpg", "webp")
        ]
    )
    data, content_type = fetch(answer["url"])
    assert (decodes_as(data), content_type) == ("JPEG", "image/jpeg")
    assert local_files() == []


def test_editor_browser_lists_past_uploads_from_the_bucket(editor, bucket):
    client = editor_client(editor)
    url = editor_post(client, image_bytes((400, 300))).json()["url"]
    # A file put in the bucket by another app server, never seen by this one.
    bucket.put("uploads/2026/01/from-elsewhere.png", image_bytes((50, 50), "PNG"))

    response = client.get(reverse("ckeditor_browse"))

    assert response.status_code == 200
    html = response.content.decode()
    assert url in html
    assert bucket.media_url + "uploads/2026/01/from-elsewhere.png" in html
    assert local_files() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bomb_png(), "The image is 30,000 × 30,000 pixels"),
        (b"<html><script>alert(1)</script></html>", NOT_IMAGE_MESSAGE),
    ],
    ids=["bomb", "html"],
)
def test_refused_uploads_leave_no_object(client, editor, bucket, data, message):
    client.force_login(editor)

    admin = post_with_image(client, data)
    editor_answer = editor_post(editor_client(editor), data).json()

    assert admin.status_code == 200
    assert admin.context["adminform"].form.errors["lead_image"][0].startswith(message)
    assert editor_answer["uploaded"] == 0
    assert editor_answer["error"]["message"].startswith(message)
    assert not Article.objects.exists()
    assert bucket.keys() == []
    assert local_files() == []


def test_a_rendition_failing_midway_takes_everything_back(
    client, editor, bucket, monkeypatch
):
    real = renditions_module._write_rendition
    calls = []

    def fail_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("the bucket refused the write")
        return real(*args, **kwargs)

    monkeypatch.setattr(renditions_module, "_write_rendition", fail_on_third)

    with pytest.raises(OSError, match="refused"):
        editor_post(editor_client(editor), noisy_jpeg((1400, 900)))
    calls.clear()
    with pytest.raises(OSError, match="refused"):
        ArticleFactory(lead_image=SimpleUploadedFile("p.jpg", noisy_jpeg((900, 600))))

    assert bucket.keys() == []
    assert not Article.objects.exists()


def test_a_row_that_does_not_save_takes_its_objects_back(bucket):
    AuthorFactory(slug="taken")
    author = Author(name="Second", slug="taken")
    author.photo = SimpleUploadedFile("p.jpg", noisy_jpeg((700, 400)))

    with pytest.raises(IntegrityError), transaction.atomic():
        author_save(author=author)

    assert bucket.keys() == []
    assert Author.objects.count() == 1


# What readers get -----------------------------------------------------------------


@pytest.fixture
def published(bucket):
    return ArticleFactory(
        headline="Harbour reopens",
        lead_image=SimpleUploadedFile("harbour.jpg", noisy_jpeg((1400, 900))),
        lead_image_alt="The harbour at dawn",
    )


def test_article_page_picture_og_image_and_json_ld_point_at_the_bucket(
    client, published, bucket
):
    html = client.get(published.get_absolute_url()).content.decode()

    srcsets = re.findall(r'srcset="([^"]+)"', html)
    assert srcsets
    for srcset in srcsets:
        for candidate in srcset.split(", "):
            assert candidate.startswith(bucket.media_url + "renditions/")
    img = re.search(r'<img src="([^"]+)"[^>]*alt="The harbour at dawn"', html)
    assert img and img.group(1).startswith(bucket.media_url)
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    twitter = re.search(r'<meta name="twitter:image" content="([^"]+)">', html)
    largest = bucket.media_url + "renditions/articles/"
    assert og_image.group(1).startswith(largest)
    assert og_image.group(1).endswith("-1280w.jpg")
    assert twitter.group(1) == og_image.group(1)
    news = jsonld_blocks(html)[0]
    assert news["image"] == [og_image.group(1)]
    # Never the site's address glued to the bucket's.
    assert django_settings.NEWSROOM_SITE_URL + "http" not in html
    data, content_type = fetch(og_image.group(1))
    assert (decodes_as(data), content_type) == ("JPEG", "image/jpeg")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_enclosure_is_the_lead_image_in_the_bucket(
    client, published, bucket, kind
):
    response = client.get(reverse(f"articles:feed-{kind}"))
    root = ElementTree.fromstring(response.content)

    if kind == "rss":
        enclosure = root.find("channel/item/enclosure")
        url, length = enclosure.get("url"), enclosure.get("length")
    else:
        atom = "{http://www.w3.org/2005/Atom}"
        link = root.find(f"{atom}entry/{atom}link[@rel='enclosure']")
        enclosure, url, length = link, link.get("href"), link.get("length")
    assert url.startswith(bucket.media_url + "renditions/articles/")
    assert url.endswith("-1280w.jpg")
    assert enclosure.get("type") == "image/jpeg"
    key = url.removeprefix(bucket.media_url)
    assert int(length) == len(bucket.read(key))


def test_sanitiser_keeps_a_bucket_image_in_a_body(editor, bucket):
    url = editor_post(editor_client(editor), noisy_jpeg((500, 400))).json()["url"]

    article = ArticleFactory(
        body=(
            f'<p>Before.</p><img src="{url}" alt="ours">'
            '<img src="https://elsewhere.example/x.jpg" alt="theirs">'
            '<img src="/media/uploads/old.jpg" alt="local path">'
        )
    )

    assert article.body == f'<p>Before.</p><img src="{url}" alt="ours">'
    assert url.startswith(bucket.media_url)
