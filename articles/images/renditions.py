"""
The resized copies a ``srcset`` offers, written once at upload time.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import NotRequired, TypedDict

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from PIL import (
    Image,
    ImageOps,
)

from articles.images.normalise import (
    EXTENSIONS,
    _as_resizable,
    _encode,
    _has_alpha,
    _usable_icc,
)
from articles.images.validation import _open, validate_image


class Rendition(TypedDict):
    """One resized copy of a stored image, as kept in a model's JSON field."""

    width: int
    height: int
    format: str
    name: str
    #: Its size in bytes (a feed's enclosure says it); absent in renditions
    #: made before it was recorded.
    bytes: NotRequired[int]


def make_renditions(name: str, *, storage: Storage | None = None) -> list[Rendition]:
    """
    Write the resized copies a ``srcset`` offers, once, at upload time.

    For each configured width below the image's own (or the image's width
    when it is narrower than all of them) there is one file in a format every
    browser reads (the source's JPEG or PNG; for a WebP source, PNG when it
    has transparency and JPEG otherwise) and one WebP. Images are never
    scaled up. Names derive from ``name`` alone, so running it again replaces
    the same files rather than adding suffixed copies.
    """
    storage = storage or default_storage
    with storage.open(name, "rb") as file:
        validate_image(file)
        with _open(file) as source:
            icc_profile = _usable_icc(source)
            image = _as_resizable(ImageOps.exif_transpose(source))
            fallback = _fallback_format(source.format, image)
    renditions: list[Rendition] = []
    try:
        for resized in _resized_copies(image):
            for image_format in (fallback, "WEBP"):
                renditions.append(
                    _write_rendition(storage, name, resized, image_format, icc_profile)
                )
    except BaseException:
        # Half a srcset is worse than none: take back what was written.
        discard_files(storage, [item["name"] for item in renditions])
        raise
    return sorted(renditions, key=lambda item: (item["width"], item["format"]))


def discard_files(storage: Storage, names: Iterable[str]) -> None:
    """Delete stored files, skipping any already gone; used to undo an upload."""
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)


def _fallback_format(source_format: str | None, image: Image.Image) -> str:
    """The non-WebP format of a rendition: the source's, if it is JPEG or PNG."""
    if source_format in {"JPEG", "PNG"}:
        return source_format
    return "PNG" if _has_alpha(image) else "JPEG"


def rendition_widths(image_width: int) -> list[int]:
    """The configured widths below ``image_width``, or the image's own width."""
    widths = sorted(
        width for width in settings.NEWSROOM_RENDITION_WIDTHS if width < image_width
    )
    return widths or [image_width]


def _resized_copies(image: Image.Image) -> Iterator[Image.Image]:
    """Each rendition width, resized from the full image for the best quality."""
    width, height = image.size
    for target in rendition_widths(width):
        if target == width:
            yield image
            continue
        size = (target, max(1, round(height * target / width)))
        yield image.resize(size, Image.Resampling.LANCZOS)


def _write_rendition(
    storage: Storage,
    name: str,
    image: Image.Image,
    image_format: str,
    icc_profile: bytes | None,
) -> Rendition:
    """Encode one rendition and store it under its predictable name."""
    width, height = image.size
    stem = posixpath.splitext(posixpath.basename(name))[0]
    target = posixpath.join(
        "renditions",
        posixpath.dirname(name),
        f"{stem}-{width}w.{EXTENSIONS[image_format]}",
    )
    if storage.exists(target):
        storage.delete(target)
    data = _encode(image, image_format, icc_profile)
    stored = storage.save(target, ContentFile(data))
    return {
        "width": width,
        "height": height,
        "format": image_format.lower(),
        "name": stored,
        "bytes": len(data),
    }
