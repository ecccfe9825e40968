"""
Images in article bodies, served as the lead image is.

The editor's upload endpoint (``articles.views.uploads``) stores each image
under ``CKEDITOR_UPLOAD_PATH`` with renditions beside it, named by
``renditions.make_renditions``; CKEditor only ever puts the original's
address in the body. When the article page is built (``articles.selectors``;
the page is then cached whole), each body ``<img>`` that points at one of
those uploads becomes a ``<picture>`` of its renditions (WebP first, then
JPEG or PNG) with ``width`` and ``height``, so the page does not jump. The
stored body stays as the editor wrote it: CKEditor 4 would strip a
``<picture>`` it was given back, and a save that changed nothing would look
like an edit. What renditions an upload has is looked up once and kept in
the cache. An image that is not ours, or whose renditions are missing, is
left as it is; ``src`` stays the original for browsers without ``srcset``.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import Storage, default_storage
from django.utils.html import format_html, format_html_join
from PIL import Image

from articles.images.normalise import EXTENSIONS

#: The lead image's ``sizes``: the body column is as wide as the lead image.
BODY_SIZES = "(min-width: 48rem) 42rem, 100vw"
_FORMATS = {extension: image_format for image_format, extension in EXTENSIONS.items()}
#: How long a lookup is kept: renditions never change under a name (a new
#: upload gets a new one), a missing file may yet be restored.
FOUND_SECONDS = 24 * 60 * 60
MISSING_SECONDS = 5 * 60
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def body_with_renditions(body: str, *, storage: Storage | None = None) -> str:
    """``body`` (already sanitised) with our uploads' renditions offered."""
    if "<img" not in body:
        return body
    storage = storage or default_storage
    return _IMG_TAG.sub(lambda match: _picture(match.group(0), storage), body)


def upload_name(src: str) -> str | None:
    """The storage name of an editor upload at ``src``, or None."""
    prefix = settings.MEDIA_URL or "/media/"
    src = html.unescape(src).split("?", 1)[0].split("#", 1)[0]
    if not src.startswith(prefix):
        return None
    name = unquote(src[len(prefix) :])
    if not name.startswith(settings.CKEDITOR_UPLOAD_PATH) or ".." in name.split("/"):
        return None
    return name


def stored_renditions(name: str, *, storage: Storage) -> list[dict]:
    """The renditions written for the upload ``name``, narrowest first."""
    folder = posixpath.join("renditions", posixpath.dirname(name))
    stem = posixpath.splitext(posixpath.basename(name))[0]
    pattern = re.compile(re.escape(stem) + r"-([0-9]+)w\.([a-z]+)")
    try:
        _folders, files = storage.listdir(folder)
        with storage.open(name, "rb") as original, Image.open(original) as image:
            width, height = image.size
    except (FileNotFoundError, OSError):
        return []
    renditions = []
    for file_name in files:
        match = pattern.fullmatch(file_name)
        if not match or match.group(2) not in _FORMATS:
            continue
        rendition_width = int(match.group(1))
        renditions.append(
            {
                "width": rendition_width,
                "height": max(1, round(height * rendition_width / width)),
                "format": _FORMATS[match.group(2)].lower(),
                "url": storage.url(posixpath.join(folder, file_name)),
            }
        )
    return sorted(renditions, key=lambda item: item["width"])


def _picture(tag: str, storage: Storage) -> str:
    attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
    if "srcset" in attributes:
        return tag
    name = upload_name(attributes.get("src", ""))
    renditions = _known_renditions(name, storage) if name else []
    webp = [item for item in renditions if item["format"] == "webp"]
    fallback = [item for item in renditions if item["format"] != "webp"]
    if not fallback:
        return tag
    largest = fallback[-1]
    sources = format_html_join(
        "",
        '<source type="image/webp" srcset="{}" sizes="{}">',
        [(_srcset(webp), BODY_SIZES)] if webp else [],
    )
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" '
        'height="{}"></picture>',
        sources,
        attributes["src"],
        _srcset(fallback),
        BODY_SIZES,
        attributes.get("alt", ""),
        largest["width"],
        largest["height"],
    )


def _known_renditions(name: str, storage: Storage) -> list[dict]:
    key = "body-image:" + hashlib.sha256(name.encode()).hexdigest()
    renditions = cache.get(key)
    if renditions is None:
        renditions = stored_renditions(name, storage=storage)
        cache.set(key, renditions, FOUND_SECONDS if renditions else MISSING_SECONDS)
    return renditions


def _srcset(renditions: list[dict]) -> str:
    return ", ".join(f"{item['url']} {item['width']}w" for item in renditions)
