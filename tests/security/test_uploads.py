"""
Hostile uploads through every path an image can enter the newsroom by.

The paths are the article form's lead image and the author form's photo in the
admin, and the endpoint CKEditor posts to (its paste/drop uploader, which reads
JSON, and its image dialog, which reads a callback page). Each hostile file is
made here with Pillow or by hand, so no binary fixture hides what is tested.

A refused file must give the person the exact reason, next to the field or in
the editor, and leave nothing behind: no row, and no file under MEDIA_ROOT.
An accepted file is re-encoded, so whatever rode along in it (HTML, a zip,
EXIF with a GPS position) is absent from every stored byte.

``UPLOAD_TABLE`` is the table in docs/security/uploads.md, rebuilt from the
cases below; a test keeps the two identical.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import include, path, re_path, reverse
from django.utils.module_loading import import_string
from PIL import Image

from articles.images import CORRUPT_MESSAGE, NOT_IMAGE_MESSAGE
from articles.models import Article, Author
from tests.articles.test_images import bomb_png, exif_with_gps, noisy_jpeg
from tests.articles.test_roles import article_form
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security" / "uploads.md"
TOKEN = "c" * 20 + "K" * 20  # CKEditor's double-submit token
MB = 1024 * 1024

#: What a polyglot carries; none of it may survive into a stored file.
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
ZIP_MEMBER = b"Main-Class: Evil\n"
#: Searched for in every stored byte. Each is five bytes or more: the images
#: are random noise, and a three-byte marker like b"GPS" turns up in a few MB of
#: noise by chance (EXIF itself is checked by parsing). The zip is found by its
#: members' names, which its headers hold in the clear.
MARKERS = (
    b"<script",
    b"<html",
    b"alert(",
    b"META-INF/MANIFEST.MF",
    b"index.html",
    b"Main-Class",
    b"Canon",
)


# Hostile files ------------------------------------------------------------------


def encoded(
    mode: str, size: tuple[int, int], image_format: str, colour: object = 0, **options
) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, colour).save(buffer, image_format, **options)
    return buffer.getvalue()


def a_zip() -> bytes:
    """A zip (or, named .jar, a Java archive) with a manifest and a page."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", ZIP_MEMBER)
        archive.writestr("index.html", SCRIPT)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def with_png_chunk(png: bytes, kind: bytes, data: bytes) -> bytes:
    """Insert a chunk straight after IHDR (8-byte signature + 25-byte IHDR)."""
    return png[:33] + png_chunk(kind, data) + png[33:]


def gif_bomb(width: int = 65_535, height: int = 65_535) -> bytes:
    """A 40-byte GIF whose logical screen claims ``width`` × ``height`` pixels."""
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + frame + b"\x3b"


def webp_bomb() -> bytes:
    """A lossless WebP header claiming 16,383 × 16,383 pixels, with no data."""
    bits = b"\x2f" + struct.pack("<I", 16_382 | (16_382 << 14))
    chunk = b"VP8L" + struct.pack("<I", len(bits)) + bits + b"\x00"
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def png_text_bomb() -> bytes:
    """A 32 × 32 PNG with a compressed comment that inflates to 64 MB."""
    compressor = zlib.compressobj(9)
    zeros = b"\x00" * MB
    data = b"".join(compressor.compress(zeros) for _ in range(64))
    data += compressor.flush()
    return with_png_chunk(
        encoded("RGB", (32, 32), "PNG"), b"zTXt", b"Comment\x00\x00" + data
    )


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def oversized_jpeg() -> bytes:
    """A real JPEG padded past the 10 MB limit with trailing bytes."""
    return noisy_jpeg((200, 200)) + b"\x00" * (11 * MB)


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    b'width="10" height="10"><rect width="10" height="10"/></svg>'
)
SVG_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass(frozen=True)
class Refused:
    kind: str
    make: Callable[[], bytes]
    message: str  # exactly what the person reads


@dataclass(frozen=True)
class Accepted:
    kind: str
    make: Callable[[], bytes]
    stored_as: str  # the format of every stored original
    mode: str  # the mode the stored original decodes to


REFUSED = [
    Refused(
        "PNG decompression bomb (30,000 × 30,000, 110 KB)",
        bomb_png,
        "The image is 30,000 × 30,000 pixels (900 megapixels); "
        "the limit is 40 megapixels.",
    ),
    Refused(
        "GIF decompression bomb (65,535 × 65,535, 40 bytes)",
        gif_bomb,
        "The image is 65,535 × 65,535 pixels (4,294.8 megapixels); "
        "the limit is 40 megapixels.",
    ),
    Refused(
        "GIF just over the pixel limit (8,000 × 8,000)",
        lambda: gif_bomb(8_000, 8_000),
        "The image is 8,000 × 8,000 pixels (64 megapixels); "
        "the limit is 40 megapixels.",
    ),
    Refused(
        "WebP decompression bomb (16,383 × 16,383 header)",
        webp_bomb,
        "The image has far too many pixels to process safely; "
        "the limit is 40 megapixels.",
    ),
    Refused("PNG whose comment inflates to 64 MB", png_text_bomb, CORRUPT_MESSAGE),
    Refused("truncated JPEG", lambda: truncated(noisy_jpeg()), CORRUPT_MESSAGE),
    Refused(
        "truncated PNG",
        lambda: truncated(encoded("RGB", (300, 300), "PNG", (1, 2, 3))),
        CORRUPT_MESSAGE,
    ),
    Refused(
        "truncated GIF",
        lambda: truncated(encoded("P", (300, 300), "GIF", 7)),
        CORRUPT_MESSAGE,
    ),
    Refused("SVG named .jpg", lambda: SVG, NOT_IMAGE_MESSAGE),
    Refused("SVG with a script", lambda: SVG_SCRIPT, NOT_IMAGE_MESSAGE),
    Refused("HTML page named .jpg", lambda: SCRIPT, NOT_IMAGE_MESSAGE),
    Refused("PDF named .jpg", lambda: PDF, NOT_IMAGE_MESSAGE),
    Refused("zip named .jpg", a_zip, NOT_IMAGE_MESSAGE),
    Refused(
        "zip with a JPEG appended (zip first)",
        lambda: a_zip() + noisy_jpeg((50, 50)),
        NOT_IMAGE_MESSAGE,
    ),
    Refused("empty file named .jpg", lambda: b"", NOT_IMAGE_MESSAGE),
    Refused(
        "JPEG over the 10 MB byte limit",
        oversized_jpeg,
        "The file is 11 MB; images may be at most 10 MB.",
    ),
]

ACCEPTED = [
    Accepted(
        "JPEG with an HTML page appended",
        lambda: noisy_jpeg((300, 200)) + SCRIPT,
        "JPEG",
        "RGB",
    ),
    Accepted(
        "JPEG with HTML in its comment segment",
        lambda: encoded("RGB", (300, 200), "JPEG", (9, 9, 9), comment=SCRIPT),
        "JPEG",
        "RGB",
    ),
    Accepted(
        "JPEG with a zip appended",
        lambda: noisy_jpeg((300, 200)) + a_zip(),
        "JPEG",
        "RGB",
    ),
    Accepted(
        "GIFAR: GIF with a Java archive appended",
        lambda: encoded("P", (120, 80), "GIF", 3) + a_zip(),
        "PNG",
        "RGB",
    ),
    Accepted(
        "GIF with HTML in its comment extension",
        lambda: encoded("P", (120, 80), "GIF", 3, comment=SCRIPT),
        "PNG",
        "RGB",
    ),
    Accepted(
        "PNG with HTML in a text chunk and after IEND",
        lambda: (
            with_png_chunk(
                encoded("RGB", (120, 80), "PNG", (1, 200, 3)),
                b"tEXt",
                b"Description\x00" + SCRIPT,
            )
            + SCRIPT
        ),
        "PNG",
        "RGB",
    ),
    Accepted(
        "CMYK JPEG",
        lambda: encoded("CMYK", (300, 200), "JPEG", (0, 90, 90, 0)),
        "JPEG",
        "RGB",
    ),
    Accepted(
        "16-bit greyscale PNG",
        lambda: encoded("I;16", (300, 200), "PNG", 40_000),
        "PNG",
        "L",
    ),
    Accepted(
        "palette PNG with a transparent colour",
        lambda: encoded("P", (300, 200), "PNG", 0, transparency=0),
        "PNG",
        "RGBA",
    ),
    Accepted(
        "animated GIF (3 frames)",
        lambda: animated_gif(),
        "PNG",
        "RGB",
    ),
    Accepted(
        "JPEG with EXIF orientation and GPS",
        lambda: encoded(
            "RGB", (300, 200), "JPEG", (20, 40, 60), exif=exif_with_gps(orientation=6)
        ),
        "JPEG",
        "RGB",
    ),
]


def animated_gif() -> bytes:
    frames = [Image.new("P", (120, 80), colour) for colour in (1, 2, 3)]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], loop=0)
    return buffer.getvalue()


# Upload paths ------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "uploads-media"
    settings.MEDIA_ROOT = root
    settings.MEDIA_URL = "/media/"
    return root


@pytest.fixture
def staff(editor):
    """An editor who may also edit authors, as the newsroom's desk heads can."""
    editor.is_staff = True
    editor.save()
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["add_author", "change_author"],
        )
    )
    return editor


def via_lead_image(client: Client, name: str, data: bytes):
    form = article_form(
        SectionFactory(),
        lead_image=SimpleUploadedFile(name, data, content_type="image/jpeg"),
        lead_image_alt="Ministers shake hands in Tokyo",
    )
    return client.post(reverse("admin:articles_article_add"), form)


def via_author_photo(client: Client, name: str, data: bytes):
    form = {
        "name": "Daniel Perez",
        "slug": "daniel-perez",
        "job_title": "News Editor",
        "bio": "",
        "user": "",
        "photo": SimpleUploadedFile(name, data, content_type="image/jpeg"),
    }
    return client.post(reverse("admin:articles_author_add"), form)


def via_editor(client: Client, name: str, data: bytes, query: str = ""):
    client.cookies["ckCsrfToken"] = TOKEN
    payload = {
        "ckCsrfToken": TOKEN,
        "upload": SimpleUploadedFile(name, data, content_type="image/jpeg"),
    }
    return client.post(reverse("ckeditor_upload") + query, payload)


def via_dialog(client: Client, name: str, data: bytes):
    return via_editor(client, name, data, query="?CKEditorFuncNum=7")


PATHS = {
    "admin lead image": via_lead_image,
    "admin author photo": via_author_photo,
    "CKEditor paste/drop": via_editor,
    "CKEditor image dialog": via_dialog,
}


def refusal_message(path: str, response) -> str:
    """The words the person sees for a refused upload on ``path``."""
    if path.startswith("admin"):
        assert response.status_code == 200, "the form is shown again"
        form = response.context["adminform"].form
        field = "lead_image" if path == "admin lead image" else "photo"
        assert list(form.errors) == [field], "the error is next to the field"
        return " ".join(form.errors[field])
    assert response.status_code == 200  # CKEditor reads messages only from a 2xx
    if path == "CKEditor paste/drop":
        answer = response.json()
        assert answer["uploaded"] == 0
        return answer["error"]["message"]
    func_num, url, message = dialog_arguments(response)
    assert (func_num, url) == (7, "")
    return message


def dialog_arguments(response) -> list:
    """What the image dialog's callback page hands to CKEditor: the function
    number, the address and the message. A refusal's message travels in a
    ``var message = …;`` before the call (the page shows it in the dialog,
    not in an alert), a success's as the call's third argument."""
    page = response.content.decode()
    refused = re.search(
        r"var message = (.*?);window\.parent\.CKEDITOR\.tools\.callFunction\("
        r"(.*?), (\".*?\"), function",
        page,
    )
    if refused:
        return [json.loads(refused[2]), json.loads(refused[3]), json.loads(refused[1])]
    match = re.search(r"callFunction\((.*)\);</script>", page)
    return json.loads(f"[{match[1]}]")


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# Refused -----------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", REFUSED, ids=[case.kind for case in REFUSED])
def test_hostile_file_is_refused_with_its_reason_and_nothing_is_kept(
    client, staff, media, path, case
):
    client.force_login(staff)

    response = PATHS[path](client, "Holiday Snap.jpg", case.make())

    assert refusal_message(path, response) == case.message
    assert stored_files(media) == []
    assert not Article.objects.exists()
    assert not Author.objects.exists()


def test_refused_messages_are_whole_sentences_a_person_can_act_on():
    for case in REFUSED:
        assert case.message.endswith("."), case.kind


# Accepted and neutralised ------------------------------------------------------


def stored_original(path: str, media: Path, response) -> Path:
    """The normalised original the path stored (renditions live apart)."""
    if path == "admin lead image":
        assert response.status_code == 302, response.context["adminform"].form.errors
        return media / Article.objects.get().lead_image.name
    if path == "admin author photo":
        assert response.status_code == 302, response.context["adminform"].form.errors
        return media / Author.objects.get().photo.name
    assert response.status_code == 200
    if path == "CKEditor paste/drop":
        answer = response.json()
        assert answer["uploaded"] == 1, answer
        return media / answer["url"].removeprefix("/media/")
    _func_num, url, message = dialog_arguments(response)
    assert message == ""
    return media / url.removeprefix("/media/")


CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
FORMATS = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", ACCEPTED, ids=[case.kind for case in ACCEPTED])
def test_accepted_file_is_re_encoded_and_carries_nothing_along(
    client, staff, media, path, case
):
    client.force_login(staff)

    response = PATHS[path](client, "Holiday <Snap>.jpg", case.make())

    original = stored_original(path, media, response)
    files = stored_files(media)
    assert original in files
    assert len(files) > 2, "the original and its renditions (a format and WebP)"
    for file in files:
        data = file.read_bytes()
        for marker in MARKERS:
            assert marker not in data, (file.name, marker)
        with Image.open(file) as image:
            assert image.format == FORMATS[file.suffix], file.name
            assert not image.getexif(), file.name
            assert not {"comment", "exif", "xmp"} & set(image.info), file.name
    assert original.suffix == {"JPEG": ".jpg", "PNG": ".png"}[case.stored_as]
    with Image.open(original) as image:
        assert image.mode == case.mode


def test_exif_orientation_is_applied_before_it_is_dropped(client, staff, media):
    client.force_login(staff)
    landscape = encoded("RGB", (300, 200), "JPEG", exif=exif_with_gps(orientation=6))

    response = via_editor(client, "rotated.jpg", landscape)

    with Image.open(stored_original("CKEditor paste/drop", media, response)) as image:
        assert image.size == (200, 300)


def serve_media(request, path):
    """Django's media view, reading MEDIA_ROOT per request as tests move it."""
    from django.conf import settings
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve_media),
    path("", include("newsroom.urls")),
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("path", PATHS)
def test_stored_files_are_served_as_images_that_browsers_may_not_sniff(
    client, staff, media, path
):
    client.force_login(staff)
    PATHS[path](client, "page.jpg", noisy_jpeg((700, 400)) + SCRIPT)

    served = 0
    for file in stored_files(media):
        url = "/media/" + file.relative_to(media).as_posix()
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == CONTENT_TYPES[file.suffix], url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert SCRIPT not in b"".join(response.streaming_content)
        served += 1
    assert served == 5  # original, then 320 and 640 wide as JPEG and WebP


# Nothing half-stored when a later step fails -----------------------------------


@pytest.fixture
def failing_renditions(monkeypatch):
    """Make the third rendition fail to encode, after two were written."""
    from articles.images import renditions

    real = renditions._write_rendition
    calls = []

    def write(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(renditions, "_write_rendition", write)
    return calls


@pytest.mark.parametrize("path", ["admin lead image", "admin author photo"])
def test_admin_upload_that_fails_midway_leaves_no_files(
    client, staff, media, failing_renditions, path
):
    client.raise_request_exception = False
    client.force_login(staff)

    response = PATHS[path](client, "photo.jpg", noisy_jpeg((700, 400)))

    assert response.status_code == 500
    assert len(failing_renditions) == 3
    assert stored_files(media) == []
    assert not Article.objects.exists()
    assert not Author.objects.exists()


def test_editor_upload_that_fails_midway_leaves_no_files(
    client, staff, media, failing_renditions
):
    client.raise_request_exception = False
    client.force_login(staff)

    response = via_editor(client, "photo.jpg", noisy_jpeg((700, 400)))

    assert response.status_code == 500
    assert stored_files(media) == []


def test_row_that_cannot_be_written_takes_its_image_files_with_it(media):
    from django.db import IntegrityError, transaction

    from articles.services import author_save
    from tests.factories import AuthorFactory

    AuthorFactory(slug="taken")
    author = Author(name="Second", slug="taken")
    author.photo = SimpleUploadedFile("p.jpg", noisy_jpeg((700, 400)))

    with pytest.raises(IntegrityError), transaction.atomic():
        author_save(author=author)

    assert stored_files(media) == []


# The table in docs/security/uploads.md -----------------------------------------


def upload_table() -> str:
    """The uploads table, one row per file kind; every path gives the same answer."""
    paths = ", ".join(PATHS)
    rows = [
        "| file kind | paths | outcome | message or stored form |",
        "| --- | --- | --- | --- |",
    ]
    for case in REFUSED:
        rows.append(f"| {case.kind} | {paths} | refused | {case.message} |")
    for case in ACCEPTED:
        stored = f"re-encoded {case.stored_as} ({case.mode}), payload and metadata gone"
        rows.append(f"| {case.kind} | {paths} | accepted | {stored} |")
    return "\n".join(rows)


def test_the_documented_table_is_the_tested_one():
    assert upload_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/security/uploads.md is out of date; paste upload_table() into it"
    )


# The image dialog's callback under a Content-Security-Policy -------------------


def without_csp(middleware: list[str]) -> list[str]:
    """The project's middleware minus django-csp's, or any subclass of it."""
    return [
        name
        for name in middleware
        if not issubclass(import_string(name), CSPMiddleware)
    ]


def test_dialog_callback_script_carries_the_policys_nonce(client, staff, settings):
    from csp.constants import NONCE, SELF

    settings.MIDDLEWARE = [
        *without_csp(settings.MIDDLEWARE),
        "csp.middleware.CSPMiddleware",
    ]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}
    }
    client.force_login(staff)

    response = via_dialog(client, "photo.jpg", noisy_jpeg((400, 300)))

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert dialog_arguments(response)[2] == ""


def test_dialog_callback_has_no_nonce_attribute_without_a_policy(
    client, staff, settings
):
    settings.MIDDLEWARE = without_csp(settings.MIDDLEWARE)
    client.force_login(staff)

    response = via_dialog(client, "photo.jpg", b"not an image")

    assert "<script>" in response.content.decode()
    assert dialog_arguments(response)[2] == NOT_IMAGE_MESSAGE


# A body too big for any acceptable image ----------------------------------------


def test_editor_refuses_an_oversized_body_before_reading_it(
    client, staff, media, monkeypatch
):
    from django.http import multipartparser

    def never(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", never)
    client.force_login(staff)
    client.cookies["ckCsrfToken"] = TOKEN

    response = client.post(
        reverse("ckeditor_upload"),
        {"ckCsrfToken": TOKEN},
        CONTENT_LENGTH=str(1024 * MB),
    )

    assert response.json() == {
        "uploaded": 0,
        "error": {"message": "The file is 1,024 MB; images may be at most 10 MB."},
    }
    assert stored_files(media) == []


def test_admin_policy_keeps_unsafe_inline_working_for_ckeditor(client, staff):
    """
    Reading the nonce must not put one in the admin's header: where a nonce is
    present, browsers ignore the 'unsafe-inline' that CKEditor 4 relies on.
    """
    client.force_login(staff)

    response = via_dialog(client, "photo.jpg", noisy_jpeg((400, 300)))

    policy = response.get("Content-Security-Policy", "")
    assert "nonce-" not in policy
    assert dialog_arguments(response)[2] == ""
