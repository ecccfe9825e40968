"""
Tests for articles.views.uploads.editor_upload, the endpoint CKEditor 4 posts to.

The editor's client enforces Django's CSRF checks, to show the view works
without Django's token and relies on CKEditor's ckCsrfToken instead.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from articles.images import NOT_IMAGE_MESSAGE
from articles.views.uploads import BAD_TOKEN_MESSAGE, NO_FILE_MESSAGE, _js_value
from tests.articles.test_images import bomb_png, exif_with_gps, image_bytes, upload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.articles.upload_urls"),
]

URL = "/editor/upload/"
TOKEN = "a" * 20 + "B" * 20  # CKEditor makes 40 random letters and digits


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Store uploads under tmp_path; the clock makes the month folder known."""
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    with time_machine.travel("2026-05-14 12:00:00+01:00", tick=False):
        yield tmp_path


def stored_files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.*"))


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.com", "x", is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="articles", codename="change_article"
        )
    )
    return user


@pytest.fixture
def client_for(editor):
    """A logged-in client with CKEditor's cookie, as the admin page would be."""

    def make(user=editor) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.cookies["ckCsrfToken"] = TOKEN
        return client

    return make


def post(
    client: Client,
    data: bytes | None,
    *,
    func_num: str | None = None,
    token: str | None = TOKEN,
):
    """Post as CKEditor does: ``upload``, ``ckCsrfToken`` and maybe a func num."""
    payload = {} if token is None else {"ckCsrfToken": token}
    query = "" if func_num is None else "?" + urlencode({"CKEditorFuncNum": func_num})
    if data is not None:
        payload["upload"] = upload("Holiday Snap.JPG", data)
    return client.post(URL + query, payload)


# Who may upload ---------------------------------------------------------------


def test_anonymous_is_sent_to_login_and_nothing_is_stored(client, media):
    response = post(client, image_bytes())

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    assert stored_files(media) == []


def test_staff_without_the_permission_is_forbidden(client_for, django_user_model):
    other = django_user_model.objects.create_user("intern", is_staff=True)

    response = post(client_for(other), image_bytes())

    assert response.status_code == 403


def test_non_staff_with_the_permission_is_sent_to_login(client_for, editor):
    editor.is_staff = False
    editor.save()

    assert post(client_for(editor), image_bytes()).status_code == 302


def test_get_is_not_allowed(client_for):
    assert client_for().get(URL).status_code == 405


# The JSON answer of the paste/drop uploader --------------------------------------


def test_good_image_is_stored_normalised_with_renditions(client_for, media):
    data = image_bytes((1000, 600), exif=exif_with_gps(1))

    response = post(client_for(), data)

    assert response.status_code == 200
    assert response.json() == {
        "uploaded": 1,
        "fileName": "holiday-snap.jpg",
        "url": "/media/uploads/2026/05/holiday-snap.jpg",
    }
    assert stored_files(media) == [
        "renditions/uploads/2026/05/holiday-snap-320w.jpg",
        "renditions/uploads/2026/05/holiday-snap-320w.webp",
        "renditions/uploads/2026/05/holiday-snap-640w.jpg",
        "renditions/uploads/2026/05/holiday-snap-640w.webp",
        "renditions/uploads/2026/05/holiday-snap-960w.jpg",
        "renditions/uploads/2026/05/holiday-snap-960w.webp",
        "uploads/2026/05/holiday-snap.jpg",
    ]
    with default_storage.open("uploads/2026/05/holiday-snap.jpg") as file:
        with Image.open(file) as image:
            assert not image.getexif()


def test_same_name_twice_gets_a_new_name(client_for):
    client = client_for()

    first = post(client, image_bytes()).json()
    second = post(client, image_bytes()).json()

    assert first["url"] != second["url"]
    assert default_storage.exists(second["url"].removeprefix("/media/"))


@pytest.mark.parametrize(
    "token", ["b" * 40, "", None], ids=["differs", "empty", "missing"]
)
def test_bad_ck_token_is_forbidden(client_for, media, token):
    response = post(client_for(), image_bytes(), token=token)

    assert response.status_code == 403
    assert response.json() == {"uploaded": 0, "error": {"message": BAD_TOKEN_MESSAGE}}
    assert stored_files(media) == []


def test_token_without_its_cookie_is_forbidden(client_for, media):
    client = client_for()
    del client.cookies["ckCsrfToken"]

    assert post(client, image_bytes()).status_code == 403
    assert stored_files(media) == []


def test_bomb_is_refused_with_our_message(client_for, media):
    response = post(client_for(), bomb_png())

    # 200: CKEditor shows the message only from a 2xx answer.
    assert response.status_code == 200
    body = response.json()
    assert body["uploaded"] == 0
    assert body["error"]["message"].startswith("The image is 30,000 \u00d7 30,000")
    assert stored_files(media) == []


def test_text_file_named_jpg_is_refused(client_for, media):
    response = post(client_for(), b"not a photo at all")

    assert response.status_code == 200
    assert response.json()["error"]["message"] == NOT_IMAGE_MESSAGE
    assert stored_files(media) == []


def test_missing_upload_field_is_refused_with_a_message_not_a_500(client_for):
    response = post(client_for(), None)

    assert response.status_code == 200
    assert response.json() == {"uploaded": 0, "error": {"message": NO_FILE_MESSAGE}}


# The image dialog's callback page ------------------------------------------------


def test_dialog_upload_calls_back_into_the_editor(client_for):
    response = post(client_for(), image_bytes(), func_num="7")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    url = json.dumps("/media/uploads/2026/05/holiday-snap.jpg")
    assert (
        f'window.parent.CKEDITOR.tools.callFunction(7, {url}, "");'
        in response.content.decode()
    )


def test_dialog_error_passes_our_message_json_encoded(client_for, media):
    response = post(client_for(), bomb_png(), func_num="7")

    html = response.content.decode()
    encoded = html.split("var message = ", 1)[1].split(";window.parent", 1)[0]
    call = html.split("callFunction(", 1)[1]
    assert json.loads(encoded).startswith("The image is 30,000 \u00d7 30,000 pixels")
    assert "\\u00d7" in encoded  # encoded by json.dumps, not pasted raw
    assert call.startswith('7, "", function () {')
    assert stored_files(media) == []


def test_a_dialog_error_is_shown_inline_in_the_dialog_not_in_an_alert(
    client_for, media
):
    html = post(client_for(), bomb_png(), func_num="7").content.decode()

    # A message string as the third argument is what CKEditor alert()s.
    assert 'callFunction(7, "", function' in html
    assert "alert(" not in html
    assert "note.setText(message); return false;" in html


@pytest.mark.parametrize(
    "func_num", ["1);alert(1);//", "abc", "", "\u0661", "12345678901"]
)
def test_dialog_rejects_a_func_num_that_is_not_digits(client_for, media, func_num):
    response = post(client_for(), image_bytes(), func_num=func_num)

    assert response.status_code == 400
    assert b"alert" not in response.content
    assert stored_files(media) == []


def test_script_values_cannot_close_the_script_element():
    encoded = _js_value("</script><script>alert('x')</script>&")

    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == "</script><script>alert('x')</script>&"


def test_dialog_answer_may_be_framed_by_our_own_pages_only(client_for):
    response = post(client_for(), image_bytes(), func_num="7")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
