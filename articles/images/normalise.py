"""
Re-encoding an upload into the form we store: the right size, an honest name,
no metadata.

A PNG called ``photo.jpg`` is stored as ``photo.png``. Metadata policy: EXIF
(camera, time, GPS position), XMP, comments and text chunks are removed from
every stored image, because they can reveal where and when a source was
photographed. The ICC colour profile is kept when the output has the same
colour model as the input (RGB stays RGB, grey stays grey): it describes
colours, not people or places, and dropping it would make photos shot in
Display P3 or Adobe RGB look washed out. It is dropped when the pixels are
converted to another model (CMYK or grey to RGB), where it would no longer
describe them.
"""

from __future__ import annotations

import posixpath
from io import BytesIO
from typing import IO, Any

from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import (
    Image,
    ImageOps,
)

from articles.images.validation import _open, validate_image

#: No stored image is wider or taller than this; larger uploads are scaled down.
MAX_DIMENSION = 2560
JPEG_QUALITY = 85
WEBP_QUALITY = 80
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

_STEM_MAX_LENGTH = 60
_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "F"})
_RGB_MODES = frozenset({"RGB", "RGBA", "RGBa", "RGBX", "P", "PA"})


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
