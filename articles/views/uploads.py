"""
The endpoint CKEditor 4 posts images to, from its image dialog or on paste/drop.

It replaces django-ckeditor's own upload view so that every image is checked
by content and re-encoded by ``articles.images`` before anything is stored.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.images import (
    check_byte_size,
    discard_files,
    make_renditions,
    normalise_image,
)

#: CKEditor 4's double-submit token: a cookie it sets and a form field it sends.
CK_TOKEN_NAME = "ckCsrfToken"
#: Status of a refused upload. CKEditor 4's paste/drop uploader reads the
#: error message only from a 2xx answer (for others it shows a bare "HTTP
#: error"), so refusals answer 200 with ``uploaded: 0`` and our message.
ERROR_STATUS = 200

#: Room in a request for the multipart headers and the token around the image.
FORM_OVERHEAD = 64 * 1024

NO_FILE_MESSAGE = "No file was received. Choose an image and upload it again."
BAD_TOKEN_MESSAGE = (
    "The upload was refused because the editor's security token was missing "
    "or did not match. Reload the page and try again."
)
BAD_FUNC_NUM_MESSAGE = "CKEditorFuncNum must be a number."

_FUNC_NUM = re.compile(r"[0-9]{1,10}")
# Characters that could end a <script> element or start an HTML comment inside
# one; JSON allows them escaped, and json.dumps already escapes non-ASCII.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


class _UploadRefused(Exception):
    """An upload we answer with a message instead of storing anything."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@csrf_exempt  # CKEditor 4 cannot send Django's token; ckCsrfToken is checked.
@xframe_options_sameorigin  # The image dialog reads the answer in a frame.
@require_POST
@staff_member_required
@permission_required("articles.change_article", raise_exception=True)
def editor_upload(request: HttpRequest) -> HttpResponse:
    """
    Store one image from CKEditor and answer in the form the caller expects.

    With ``CKEditorFuncNum`` in the query string the caller is the image
    dialog's hidden iframe, which wants a page calling back into the editor;
    otherwise it is the paste/drop uploader, which wants JSON.
    """
    func_num = request.GET.get("CKEditorFuncNum")
    if func_num is not None and not _FUNC_NUM.fullmatch(func_num):
        return HttpResponse(
            BAD_FUNC_NUM_MESSAGE, status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        name = _store_upload(request)
    except _UploadRefused as refusal:
        return _respond(
            request, func_num, url="", message=refusal.message, status=refusal.status
        )
    return _respond(request, func_num, url=default_storage.url(name), name=name)


def _store_upload(request: HttpRequest) -> str:
    """Check the size, token and image, then store it with its renditions."""
    _check_request_size(request)
    if not _token_matches(request):
        raise _UploadRefused(BAD_TOKEN_MESSAGE, status=403)
    upload = request.FILES.get("upload")
    if upload is None:
        raise _UploadRefused(NO_FILE_MESSAGE, status=ERROR_STATUS)
    try:
        content = normalise_image(upload, name=upload.name or "")
    except ValidationError as error:
        raise _UploadRefused(" ".join(error.messages), ERROR_STATUS) from None
    name = default_storage.get_available_name(_upload_path(content.name))
    name = default_storage.save(name, content)
    try:
        make_renditions(name, storage=default_storage)
    except BaseException:
        # make_renditions removed its own files; the original goes too.
        discard_files(default_storage, [name])
        raise
    return name


def _check_request_size(request: HttpRequest) -> None:
    """
    Refuse a body too big to hold an acceptable image before reading any of it.

    Django would otherwise stream the whole upload to a temporary file before
    the image check could say it is too large.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= settings.NEWSROOM_IMAGE_MAX_BYTES + FORM_OVERHEAD:
        return
    try:
        check_byte_size(length)
    except ValidationError as error:
        raise _UploadRefused(" ".join(error.messages), ERROR_STATUS) from None


def _token_matches(request: HttpRequest) -> bool:
    """
    CKEditor's double-submit check: the form field must equal the cookie.

    A cross-site form can send the field but cannot read or set our cookie,
    so a match shows the request came from a page on this site.
    """
    sent = request.POST.get(CK_TOKEN_NAME, "")
    expected = request.COOKIES.get(CK_TOKEN_NAME, "")
    return bool(sent) and constant_time_compare(sent, expected)


def _upload_path(file_name: str) -> str:
    """CKEDITOR_UPLOAD_PATH/YYYY/MM/<name>, by the newsroom's local month."""
    month = timezone.localtime().strftime("%Y/%m")
    return posixpath.join(settings.CKEDITOR_UPLOAD_PATH, month, file_name)


def _respond(
    request: HttpRequest,
    func_num: str | None,
    *,
    url: str,
    name: str = "",
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    """The callback page for the dialog, or JSON for the paste/drop uploader."""
    if func_num is not None:
        nonce = getattr(request, "csp_nonce", None)
        return _callback_page(int(func_num), url, message, status, nonce)
    if message:
        payload: dict[str, Any] = {"uploaded": 0, "error": {"message": message}}
        return JsonResponse(payload, status=status)
    payload = {"uploaded": 1, "fileName": posixpath.basename(name), "url": url}
    return JsonResponse(payload)


# A refusal is shown inside the image dialog, under the upload button, instead
# of the alert() CKEditor gives a message string: the filebrowser plugin calls
# a function passed in place of the message with the upload button as
# ``this``, and keeps the dialog as it was when the function returns false.
_SHOW_INLINE = (
    "function () {"
    "var CK = window.parent.CKEDITOR, button = this.getElement(),"
    " doc = button.getDocument(), note = doc.getById('upload-error');"
    "if (!note) {"
    " note = new CK.dom.element('p', doc);"
    " note.setAttribute('id', 'upload-error'); note.setAttribute('role', 'alert');"
    " note.setStyles({color: '#ba2121', 'white-space': 'normal',"
    " 'margin-top': '8px', 'font-weight': 'bold'});"
    " note.insertAfter(button);"
    "}"
    "note.setText(message); return false;"
    "}"
)


def _callback_page(
    func_num: int, url: str, message: str, status: int, nonce: object = None
) -> HttpResponse:
    """
    A page that hands the result to the editor that opened the dialog.

    Every value is JSON-encoded, and the characters that could close the
    script element are escaped, so no file name or message can inject code.
    """
    if message:
        call = (
            f"var message = {_js_value(message)};"
            f"window.parent.CKEDITOR.tools.callFunction("
            f"{_js_value(func_num)}, {_js_value(url)}, {_SHOW_INLINE});"
        )
    else:
        arguments = ", ".join(_js_value(value) for value in (func_num, url, message))
        call = f"window.parent.CKEDITOR.tools.callFunction({arguments});"
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Upload</title>'
        f"</head><body><script{_nonce_attribute(nonce)}>{call}</script>"
        "</body></html>"
    )
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _nonce_attribute(nonce: object) -> str:
    """
    The script's CSP nonce, when django-csp's middleware gave the request one.

    Reading ``request.csp_nonce`` is what makes the middleware put the nonce
    in this response's header, so the one inline script runs under a policy
    without 'unsafe-inline'. The nonce is base64, safe in an attribute.
    """
    # Not ``if nonce``: django-csp's lazy nonce is falsy until first read.
    return "" if nonce is None else f' nonce="{nonce}"'


def _js_value(value: int | str) -> str:
    """A JavaScript literal for ``value`` that is safe inside <script>."""
    return json.dumps(value).translate(_SCRIPT_ESCAPES)
