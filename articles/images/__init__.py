"""
Checking, cleaning and resizing the images editors upload.

Uploads are judged by their content, never by their file name: a text file
called ``photo.jpg`` is refused, and a PNG called ``photo.jpg`` is stored as
``photo.png``. Every check reads only the file header before deciding whether
the image is small enough to decode, so a decompression bomb (a tiny file whose
header claims billions of pixels) is refused without allocating its pixels.

Metadata policy: EXIF (camera, time, GPS position), XMP, comments and text
chunks are removed from every stored image, because they can reveal where and
when a source was photographed. The ICC colour profile is kept when the output
has the same colour model as the input (RGB stays RGB, grey stays grey): it
describes colours, not people or places, and dropping it would make photos shot
in Display P3 or Adobe RGB look washed out. It is dropped when the pixels are
converted to another model (CMYK or grey to RGB), where it would no longer
describe them.
"""

from __future__ import annotations

import posixpath
import struct
import warnings
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import IO, Any, TypedDict

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from PIL import (
    GifImagePlugin,
    Image,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
)

#: The formats Pillow may even try to parse: fewer parsers, less attack surface.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
#: No stored image is wider or taller than this; larger uploads are scaled down.
MAX_DIMENSION = 2560
JPEG_QUALITY = 85
WEBP_QUALITY = 80
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

_MB = 1024 * 1024
_KB = 1024
_STEM_MAX_LENGTH = 60
# What Pillow raises for data it recognised but cannot decode.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
# Header-only parsers used to report the size of a bomb Pillow refused to open.
_HEADER_PARSERS = (
    PngImagePlugin.PngImageFile,
    JpegImagePlugin.JpegImageFile,
    GifImagePlugin.GifImageFile,
)
_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "F"})
_RGB_MODES = frozenset({"RGB", "RGBA", "RGBa", "RGBX", "P", "PA"})

NOT_IMAGE_MESSAGE = (
    "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."
)
CORRUPT_MESSAGE = (
    "This image is damaged or incomplete, so it cannot be read. "
    "Export or download it again and upload the new copy."
)


class Rendition(TypedDict):
    """One resized copy of a stored image, as kept in a model's JSON field."""

    width: int
    height: int
    format: str
    name: str


# Validation -----------------------------------------------------------------


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


# Normalising ----------------------------------------------------------------


def normalise_image(file: IO[bytes], *, name: str) -> ContentFile:
    """
    Validate an upload and re-encode it into the form we store.

    Re-encoding from decoded pixels is what guarantees the metadata is gone
    (see the module docstring) and that the bytes match the extension. EXIF
    orientation is applied first, since the tag that carried it is dropped.
    GIF becomes a PNG of its first frame: a still, lossless like the GIF,
    that every browser reads and that the renditions can also offer as WebP.
    """
    validate_image(file)
    try:
        with _open(file) as source:
            output_format = "PNG" if source.format == "GIF" else source.format
            icc_profile = _usable_icc(source)
            image = _fit_within(ImageOps.exif_transpose(source), MAX_DIMENSION)
    finally:
        file.seek(0)
    data = _encode(image, output_format, icc_profile)
    return ContentFile(data, name=safe_image_name(name, output_format))


def safe_image_name(name: str, image_format: str) -> str:
    """
    A file name that is safe in any storage and honest about its format.

    Only the uploaded name's last component is used (no directories), its
    stem is slugified and shortened, and the extension comes from the format
    we actually wrote, whatever extension the upload claimed.
    """
    base = posixpath.basename(name.replace("\\", "/"))
    stem = slugify(base.rsplit(".", 1)[0] if "." in base else base)
    stem = stem[:_STEM_MAX_LENGTH].strip("-_") or "image"
    return f"{stem}.{EXTENSIONS[image_format]}"


def _fit_within(image: Image.Image, longest: int) -> Image.Image:
    """Scale down (never up) so that neither side exceeds ``longest``."""
    width, height = image.size
    if max(width, height) <= longest:
        return image
    scale = longest / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return _as_resizable(image).resize(size, Image.Resampling.LANCZOS)


def _as_resizable(image: Image.Image) -> Image.Image:
    """LANCZOS needs a continuous-tone mode; palettes and 1-bit are expanded."""
    if image.mode in {"L", "LA", "RGB", "RGBA"}:
        return image
    return _convert(image, _target_mode(image, "PNG"))


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "RGBa", "LA", "La", "PA"} or (
        "transparency" in image.info
    )


def _target_mode(image: Image.Image, image_format: str) -> str:
    """The mode to encode in: JPEG is always RGB, WebP RGB(A), PNG keeps grey."""
    if image_format == "JPEG":
        return "RGB"
    alpha = _has_alpha(image)
    if image_format == "PNG" and image.mode in _GREY_MODES:
        return "LA" if alpha else "L"
    return "RGBA" if alpha else "RGB"


def _convert(image: Image.Image, mode: str) -> Image.Image:
    """Convert, scaling 16- and 32-bit grey down instead of clipping it to white."""
    if image.mode == mode:
        return image.copy()
    if image.mode in {"I", "I;16"} and mode in {"L", "RGB"}:
        image = image.convert("I").point(lambda value: value * (1 / 257))
        image = image.convert("L")
    return image.convert(mode)


def _usable_icc(image: Image.Image) -> bytes | None:
    """The source's ICC profile, unless it describes CMYK or other models we convert."""
    if image.mode in _RGB_MODES or image.mode in _GREY_MODES:
        return image.info.get("icc_profile")
    return None


def _same_colour_model(source_mode: str, target_mode: str) -> bool:
    """Whether an ICC profile for ``source_mode`` still fits ``target_mode``."""
    return (source_mode in _RGB_MODES and target_mode in _RGB_MODES) or (
        source_mode in _GREY_MODES and target_mode in _GREY_MODES
    )


def _encode(image: Image.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    """
    Encode decoded pixels with no metadata but (when it still fits) the ICC.

    ``info`` is emptied because Pillow copies some of it (JPEG comments, PNG
    text) into the output by default.
    """
    mode = _target_mode(image, image_format)
    keep_icc = icc_profile and _same_colour_model(image.mode, mode)
    output = _convert(image, mode)
    output.info = {}
    options: dict[str, Any] = {"icc_profile": icc_profile} if keep_icc else {}
    if image_format == "JPEG":
        options |= {"quality": JPEG_QUALITY, "progressive": True, "optimize": True}
    elif image_format == "PNG":
        options |= {"optimize": True}
    else:
        options |= {"quality": WEBP_QUALITY}
    buffer = BytesIO()
    output.save(buffer, image_format, **options)
    return buffer.getvalue()


# Renditions -----------------------------------------------------------------


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
    }


# Model and form fields ------------------------------------------------------


def validate_image_upload(value: Any) -> None:
    """
    The model field's validator: check new uploads, leave stored files alone.

    A file already in storage was checked when it arrived; re-reading it on
    every ``full_clean()`` would cost a download, and a file since removed from
    storage would crash the form instead of just being absent.
    """
    if isinstance(value, FieldFile):
        if value._committed:
            return
        value = value.file
    validate_image(value)


class ValidatedImageFormField(forms.ImageField):
    """
    A form ImageField that gives our specific reasons before Django's check.

    Django's own check would say "Upload a valid image" for a bomb, a huge
    file or a text file alike. Its file-extension validator is dropped: the
    content decides, and the stored name gets the extension of what we wrote.
    """

    default_validators: list[Any] = []  # no file-extension check

    def to_python(self, data: Any) -> Any:
        if data not in self.empty_values and hasattr(data, "seek"):
            validate_image(data)
        return super().to_python(data)


class ValidatedImageField(models.ImageField):
    """
    A model ImageField whose uploads pass ``validate_image``, in forms or not.

    Pair it with ``process_image_upload`` in the model's ``save()`` so the
    stored file is the normalised one and its renditions exist.
    """

    default_validators = [validate_image_upload]

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": ValidatedImageFormField, **kwargs})

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        """
        Deconstruct as this class, with only the options given explicitly.

        The validator is a class default, so migrations do not mention it and
        stay unchanged if it changes.
        """
        name, _path, args, kwargs = super().deconstruct()
        return name, "articles.images.ValidatedImageField", args, kwargs


def process_image_upload(fieldfile: FieldFile | None) -> list[Rendition] | None:
    """
    Normalise a freshly assigned upload, store it and make its renditions.

    Returns None when there is nothing new (no file, or one already stored),
    so callers keep the renditions they have. Raises ValidationError for a
    bad image even outside forms, so a script cannot store one either.
    """
    if not fieldfile or fieldfile._committed:
        return None
    content = normalise_image(fieldfile.file, name=fieldfile.name or "")
    fieldfile.save(content.name, content, save=False)
    try:
        return make_renditions(fieldfile.name, storage=fieldfile.storage)
    except BaseException:
        discard_files(fieldfile.storage, [fieldfile.name])
        raise


def discard_image_upload(
    fieldfile: FieldFile | None, renditions: list[Rendition] | None
) -> None:
    """
    Undo ``process_image_upload`` when the row it was for is not saved.

    A model's ``save()`` calls this when writing the row fails after the image
    and its renditions were stored, so a refused save leaves no files behind.
    """
    if renditions is None or not fieldfile:
        return
    discard_files(fieldfile.storage, [fieldfile.name, *(r["name"] for r in renditions)])
