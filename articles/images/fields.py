"""
The model and form fields that pass every upload through the checks, and the
two calls a model's ``save()`` makes: store the normalised image with its
renditions, or take them back when the row is not saved.
"""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile

from articles.images.normalise import normalise_image
from articles.images.renditions import Rendition, discard_files, make_renditions
from articles.images.validation import _open, validate_image


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

    A heavy image (see ``is_heavy``) is stored but gets no renditions here:
    the empty list tells the service to queue ``articles.tasks`` after
    commit, so the editor's request does not wait for ten encodes of it.
    """
    if not fieldfile or fieldfile._committed:
        return None
    content = normalise_image(fieldfile.file, name=fieldfile.name or "")
    heavy = is_heavy(content)
    fieldfile.save(content.name, content, save=False)
    if heavy:
        return []
    try:
        return make_renditions(fieldfile.name, storage=fieldfile.storage)
    except BaseException:
        discard_files(fieldfile.storage, [fieldfile.name])
        raise


def renditions_deferred(renditions: list[Rendition] | None) -> bool:
    """Whether ``process_image_upload`` stored a heavy image without renditions."""
    return renditions is not None and not renditions


def is_heavy(file: IO[bytes]) -> bool:
    """
    Whether a stored image has more pixels than ``IMAGE_INLINE_MAX_PIXELS``.

    Renditions cost grows with the pixels decoded and resized, so the count
    of the normalised image (what the renditions are made from, at most
    ``MAX_DIMENSION`` a side) decides. Only the header is read.
    """
    try:
        with _open(file) as image:
            width, height = image.size
    finally:
        file.seek(0)
    return width * height > settings.NEWSROOM_IMAGE_INLINE_MAX_PIXELS


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
