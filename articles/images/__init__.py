"""
Checking, cleaning and resizing the images editors upload.

Uploads are judged by their content, never by their file name, and every
stored image is re-encoded without metadata. The package, by step:

- ``validation``: what is refused (size, format, pixel count, damage), before
  any pixel memory is allocated;
- ``normalise``: re-encoding into the stored form, and the metadata policy;
- ``renditions``: the resized copies a ``srcset`` offers;
- ``fields``: the model and form fields, and the calls a model's ``save()``
  makes;
- ``kept``: a chosen upload kept across a form error, under a signed token.

Import from ``articles.images``; the names below are its public interface.
"""

from articles.images.body import body_with_renditions
from articles.images.fields import (
    ValidatedImageField,
    ValidatedImageFormField,
    discard_image_upload,
    is_heavy,
    process_image_upload,
    renditions_deferred,
    validate_image_upload,
)
from articles.images.normalise import (
    EXTENSIONS,
    JPEG_QUALITY,
    MAX_DIMENSION,
    WEBP_QUALITY,
    normalise_image,
    safe_image_name,
)
from articles.images.renditions import (
    Rendition,
    discard_files,
    make_renditions,
    rendition_widths,
)
from articles.images.validation import (
    ALLOWED_FORMATS,
    CORRUPT_MESSAGE,
    NOT_IMAGE_MESSAGE,
    check_byte_size,
    validate_image,
)

__all__ = [
    "ALLOWED_FORMATS",
    "CORRUPT_MESSAGE",
    "EXTENSIONS",
    "JPEG_QUALITY",
    "MAX_DIMENSION",
    "NOT_IMAGE_MESSAGE",
    "WEBP_QUALITY",
    "Rendition",
    "ValidatedImageField",
    "ValidatedImageFormField",
    "body_with_renditions",
    "check_byte_size",
    "discard_files",
    "discard_image_upload",
    "is_heavy",
    "make_renditions",
    "normalise_image",
    "process_image_upload",
    "rendition_widths",
    "renditions_deferred",
    "safe_image_name",
    "validate_image",
    "validate_image_upload",
]
