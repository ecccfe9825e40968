"""
Refusing uploads that are not images we can read, judged by their content.

Uploads are judged by their content, never by their file name: a text file
called ``photo.jpg`` is refused. Every check reads only the file header before
deciding whether the image is small enough to decode, so a decompression bomb
(a tiny file whose header claims billions of pixels) is refused without
allocating its pixels.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import (
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
)

#: The formats Pillow may even try to parse: fewer parsers, less attack surface.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

_MB = 1024 * 1024
_KB = 1024
# What Pillow raises for data it recognised but cannot decode.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
# Header-only parsers used to report the size of a bomb Pillow refused to open.
_HEADER_PARSERS = (
    PngImagePlugin.PngImageFile,
    JpegImagePlugin.JpegImageFile,
    GifImagePlugin.GifImageFile,
)

NOT_IMAGE_MESSAGE = (
    "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."
)
CORRUPT_MESSAGE = (
    "This image is damaged or incomplete, so it cannot be read. "
    "Export or download it again and upload the new copy."
)


def validate_image(file: IO[bytes]) -> None:
    """
    Refuse anything that is not a readable JPEG, PNG, WebP or GIF within limits.

    The checks run cheapest first: the byte size, then the header (format and
    pixel count) and only then a full decode, so a bomb is refused before any
    pixel memory is allocated. Raises ValidationError with code ``too_large``,
    ``not_image``, ``too_many_pixels`` or ``corrupt``. The file is left at
    position 0 whatever happens, ready for the next reader.
    """
    try:
        _check_byte_size(file)
        _check_header(file)
        _check_decodes(file)
    finally:
        file.seek(0)


def _check_byte_size(file: IO[bytes]) -> None:
    """Refuse files over NEWSROOM_IMAGE_MAX_BYTES without reading them."""
    check_byte_size(_byte_size(file))


def check_byte_size(size: int) -> None:
    """Raise the ``too_large`` error if ``size`` bytes is over the limit."""
    limit = settings.NEWSROOM_IMAGE_MAX_BYTES
    if size <= limit:
        return
    shown, shown_limit = _format_bytes(size), _format_bytes(limit)
    if shown == shown_limit:  # 10.01 MB would read "10 MB ... at most 10 MB"
        shown, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
    raise ValidationError(
        "The file is %(size)s; images may be at most %(limit)s.",
        code="too_large",
        params={"size": shown, "limit": shown_limit},
    )


def _byte_size(file: IO[bytes]) -> int:
    """The file's size: from ``.size`` when Django knows it, else by seeking."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _check_header(file: IO[bytes]) -> None:
    """Identify the format and count pixels from the header alone."""
    file.seek(0)
    try:
        with _open(file) as image:
            _check_pixels(image.size)
    except UnidentifiedImageError:
        raise _not_image() from None
    except _BOMB_ERRORS:
        # Pillow's own, higher limit refused it before we saw the size.
        raise _too_many_pixels(_header_size(file)) from None
    except _DECODE_ERRORS:
        raise _corrupt() from None


def _check_decodes(file: IO[bytes]) -> None:
    """
    Decode the whole image once, to catch damaged and truncated files now.

    ``verify()`` checks structure (PNG checksums) but not every format, and a
    truncated JPEG only fails when its pixels are decoded, so both are run.
    Pillow cannot use an image after ``verify()``, hence the reopen.
    """
    try:
        file.seek(0)
        with _open(file) as image:
            image.verify()
        file.seek(0)
        with _open(file) as image:
            image.load()
    except _BOMB_ERRORS:
        raise _too_many_pixels(_header_size(file)) from None
    except _DECODE_ERRORS:
        raise _corrupt() from None


@contextmanager
def _open(file: IO[bytes]) -> Iterator[Image.Image]:
    """
    Open with only the allowed parsers, treating Pillow's bomb warning as fatal.

    ``warnings.catch_warnings`` changes process-wide state; at worst another
    thread briefly sees DecompressionBombWarning raised instead of logged,
    which is the safer failure.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(file, formats=ALLOWED_FORMATS) as image:
            yield image


def _check_pixels(size: tuple[int, int]) -> None:
    """Refuse images whose decoded pixels would exceed the configured budget."""
    width, height = size
    if width * height > settings.NEWSROOM_IMAGE_MAX_PIXELS:
        raise _too_many_pixels(size)


def _header_size(file: IO[bytes]) -> tuple[int, int] | None:
    """
    Read width and height with parsers that never decode or run bomb checks.

    Only used to word the message when Pillow refused a bomb outright. WebP is
    absent because its parser checks for bombs itself (it allocates a canvas).
    """
    for parser in _HEADER_PARSERS:
        file.seek(0)
        try:
            with parser(file) as image:
                return image.size
        except Exception:  # any failure just means "not this format"
            continue
    return None


def _too_many_pixels(size: tuple[int, int] | None) -> ValidationError:
    """The too_many_pixels error, with the figures when the size is known."""
    limit = settings.NEWSROOM_IMAGE_MAX_PIXELS
    if size is None:
        return ValidationError(
            "The image has far too many pixels to process safely; "
            "the limit is %(limit)s megapixels.",
            code="too_many_pixels",
            params={"limit": _format_megapixels(limit)},
        )
    width, height = size
    shown, unit = _format_megapixels(width * height), "megapixels"
    shown_limit = _format_megapixels(limit)
    if shown == shown_limit:  # 40.01 would read "40 ... the limit is 40"
        shown, shown_limit, unit = f"{width * height:,}", f"{limit:,}", "pixels"
    return ValidationError(
        "The image is %(width)s \N{MULTIPLICATION SIGN} %(height)s pixels "
        "(%(pixels)s %(unit)s); the limit is %(limit)s %(unit)s.",
        code="too_many_pixels",
        params={
            "width": f"{width:,}",
            "height": f"{height:,}",
            "pixels": shown,
            "limit": shown_limit,
            "unit": unit,
        },
    )


def _not_image() -> ValidationError:
    return ValidationError(NOT_IMAGE_MESSAGE, code="not_image")


def _corrupt() -> ValidationError:
    return ValidationError(CORRUPT_MESSAGE, code="corrupt")


def _format_bytes(size: int) -> str:
    """A size the way people say it: 14.2 MB, 512 KB, 300 bytes."""
    if size >= _MB:
        return _one_decimal(size / _MB) + " MB"
    if size >= _KB:
        return _one_decimal(size / _KB) + " KB"
    return f"{size:,} bytes"


def _format_megapixels(pixels: int) -> str:
    """400, 40.3 or, for the small limits tests use, 0.01."""
    value = pixels / 1_000_000
    if value < 0.1:
        return f"{value:.2g}"
    return _one_decimal(value)


def _one_decimal(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")
