"""
Tests for articles.images: validation by content, normalising and renditions.

Every image is made in memory with Pillow (or, for the bomb, by hand), and
every test that stores files points MEDIA_ROOT at its own tmp_path.
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageCms, ImageFile

from articles.images import (
    CORRUPT_MESSAGE,
    NOT_IMAGE_MESSAGE,
    ValidatedImageField,
    ValidatedImageFormField,
    make_renditions,
    normalise_image,
    process_image_upload,
    validate_image,
)

ORIENTATION = 0x0112
MAKE = 0x010F
GPS_IFD = 0x8825
MIB = 1024 * 1024
TIMES = "\N{MULTIPLICATION SIGN}"  # as in "30,000 by 30,000" in our messages


# Image factories --------------------------------------------------------------


def image_bytes(
    size: tuple[int, int] = (400, 300),
    image_format: str = "JPEG",
    *,
    mode: str = "RGB",
    colour: object = (200, 30, 30),
    **options: object,
) -> bytes:
    """An encoded image of one colour."""
    buffer = BytesIO()
    Image.new(mode, size, colour).save(buffer, image_format, **options)
    return buffer.getvalue()


def noisy_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG whose scan data is large, so cutting it loses real pixels."""
    buffer = BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def exif_with_gps(orientation: int = 6) -> Image.Exif:
    """EXIF with a camera make, a GPS position and the given orientation."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "Canon"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 26.0)
    return exif


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """
    A valid, all-black 1-bit PNG of ``width`` by ``height`` pixels, built by hand.

    The rows are compressed one at a time, so neither building it nor the
    test ever holds the decoded image; 30000² compresses to about 110 KB.
    """
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    data = b"".join(compressor.compress(row) for _ in range(height))
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> BytesIO:
    """A file as Django hands it to a view or form."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def error_of(file: BytesIO) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_image(file)
    return caught.value


@pytest.fixture
def media(settings, tmp_path):
    """Store files under tmp_path, never in the repository."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded (and so allocated)."""

    def refuse(self: ImageFile.ImageFile) -> None:
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# validate_image ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "mode"),
    [("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB"), ("GIF", "P")],
)
def test_accepts_the_four_formats(image_format, mode):
    file = upload("x", image_bytes((40, 30), image_format, mode=mode, colour=1))

    validate_image(file)

    assert file.tell() == 0


def test_real_decompression_bomb_is_refused_without_decoding(no_decoding):
    data = bomb_png(30_000, 30_000)
    assert len(data) < 200_000  # tiny on disk, 900 megapixels in memory

    error = error_of(upload("bomb.png", data, "image/png"))

    assert error.code == "too_many_pixels"
    assert error.messages == [
        f"The image is 30,000 {TIMES} 30,000 pixels (900 megapixels); "
        "the limit is 40 megapixels."
    ]


def test_bomb_below_pillows_own_limit_is_caught_by_ours(no_decoding):
    # 48 megapixels: Pillow would decode it (its limit is ~89), we refuse it.
    error = error_of(upload("big.png", bomb_png(8_000, 6_000), "image/png"))

    assert error.code == "too_many_pixels"
    assert error.messages == [
        f"The image is 8,000 {TIMES} 6,000 pixels (48 megapixels); "
        "the limit is 40 megapixels."
    ]


def test_pixel_limit_is_read_at_call_time(settings):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 10_000

    error = error_of(upload("x.png", image_bytes((200, 100), "PNG")))

    assert error.code == "too_many_pixels"
    assert f"200 {TIMES} 100 pixels" in error.messages[0]
    assert "the limit is 0.01 megapixels" in error.messages[0]


def test_text_file_named_jpg_is_not_an_image():
    file = upload("photo.jpg", b"Just some notes, not a photo.\n" * 20)

    error = error_of(file)

    assert error.code == "not_image"
    assert error.messages == [NOT_IMAGE_MESSAGE]
    assert file.tell() == 0


def test_empty_file_is_not_an_image():
    assert error_of(upload("photo.jpg", b"")).code == "not_image"


def test_formats_outside_the_allowed_four_are_not_images():
    bmp = image_bytes((20, 20), "BMP")
    tiff = image_bytes((20, 20), "TIFF")

    assert error_of(upload("x.bmp", bmp)).code == "not_image"
    assert error_of(upload("x.tif", tiff)).code == "not_image"


def test_truncated_jpeg_is_corrupt():
    data = noisy_jpeg()
    file = upload("cut.jpg", data[: len(data) // 2])

    error = error_of(file)

    assert error.code == "corrupt"
    assert error.messages == [CORRUPT_MESSAGE]
    assert file.tell() == 0


def test_png_with_damaged_data_is_corrupt():
    data = bytearray(image_bytes((300, 300), "PNG", colour=(1, 2, 3)))
    start = data.index(b"IDAT") + 4
    data[start : start + 20] = b"\xff" * 20

    assert error_of(upload("x.png", bytes(data))).code == "corrupt"


def test_file_over_the_byte_cap_is_too_large(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 2048
    data = noisy_jpeg((100, 100))
    assert len(data) > 2048

    error = error_of(upload("big.jpg", data))

    assert error.code == "too_large"
    size = f"{len(data) / 1024:.1f}".removesuffix(".0")
    assert error.messages == [f"The file is {size} KB; images may be at most 2 KB."]


def test_too_large_message_uses_megabytes_and_reads_no_content():
    # The size is Django's (from the request), so 14.2 MB need not be written.
    file = InMemoryUploadedFile(
        BytesIO(b"not even an image"),
        "upload",
        "huge.jpg",
        "image/jpeg",
        size=round(14.2 * MIB),
        charset=None,
    )

    error = error_of(file)

    assert error.code == "too_large"
    assert error.messages == ["The file is 14.2 MB; images may be at most 10 MB."]


def test_sizes_that_would_round_to_the_limit_are_shown_in_bytes(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 10 * MIB
    file = InMemoryUploadedFile(
        BytesIO(b"x"), "upload", "a.jpg", "image/jpeg", 10 * MIB + 1, None
    )

    assert error_of(file).messages == [
        "The file is 10,485,761 bytes; images may be at most 10,485,760 bytes."
    ]


def test_plain_file_objects_are_measured_by_seeking(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 100

    assert error_of(BytesIO(image_bytes())).code == "too_large"


# normalise_image ----------------------------------------------------------------


def test_normalise_applies_exif_orientation_and_strips_metadata():
    data = image_bytes((300, 200), exif=exif_with_gps(6), comment=b"source: Jane")
    original = Image.open(BytesIO(data))
    assert original.getexif().get_ifd(GPS_IFD)  # the fixture really has GPS

    result = normalise_image(upload("x.jpg", data), name="x.jpg")

    with Image.open(result) as image:
        assert image.format == "JPEG"
        assert image.mode == "RGB"
        assert image.size == (200, 300)  # rotated upright
        assert not image.getexif()
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info
        assert "comment" not in image.info
        assert image.info.get("progressive")


def test_normalise_strips_metadata_from_png_and_webp():
    png = image_bytes((50, 40), "PNG", exif=exif_with_gps(1))
    webp = image_bytes((50, 40), "WEBP", exif=exif_with_gps(1), xmp=b"<x/>")

    for data in (png, webp):
        with Image.open(normalise_image(upload("x", data), name="x")) as image:
            assert not image.getexif()
            assert not {"exif", "xmp"} & set(image.info)


def test_normalise_keeps_the_icc_profile_of_rgb_images():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes(icc_profile=srgb)

    with Image.open(normalise_image(upload("x.jpg", data), name="x.jpg")) as image:
        assert image.info["icc_profile"] == srgb


def test_normalise_converts_cmyk_to_rgb_and_drops_its_profile():
    data = image_bytes(mode="CMYK", colour=(0, 0, 0, 0), icc_profile=b"cmyk")

    with Image.open(normalise_image(upload("x.jpg", data), name="x.jpg")) as image:
        assert image.mode == "RGB"
        assert "icc_profile" not in image.info


@pytest.mark.parametrize(
    ("uploaded_name", "data", "expected_name", "expected_format"),
    [
        ("Évening Photo!!.JPG", image_bytes(), "evening-photo.jpg", "JPEG"),
        (
            "actually-a-png.jpg",
            image_bytes(image_format="PNG"),
            "actually-a-png.png",
            "PNG",
        ),
        ("still.webp", image_bytes(image_format="WEBP"), "still.webp", "WEBP"),
        ("anim.gif", image_bytes(image_format="GIF"), "anim.png", "PNG"),
        ("../../etc/passwd", image_bytes(), "passwd.jpg", "JPEG"),
        ("....png", image_bytes(image_format="PNG"), "image.png", "PNG"),
    ],
)
def test_normalise_names_files_by_their_content(
    uploaded_name, data, expected_name, expected_format
):
    result = normalise_image(upload(uploaded_name, data), name=uploaded_name)

    assert result.name == expected_name
    with Image.open(result) as image:
        assert image.format == expected_format


def test_animated_gif_becomes_its_first_frame_as_png():
    frames = [Image.new("P", (60, 40), index) for index in range(3)]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])

    result = normalise_image(upload("a.gif", buffer.getvalue()), name="a.gif")

    with Image.open(result) as image:
        assert (image.format, image.size) == ("PNG", (60, 40))
        assert not getattr(image, "is_animated", False)


def test_png_transparency_survives():
    data = image_bytes((30, 30), "PNG", mode="RGBA", colour=(0, 0, 255, 0))

    with Image.open(normalise_image(upload("t.png", data), name="t.png")) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0


def test_normalise_caps_the_longest_side():
    data = image_bytes((3000, 1500), "PNG")

    with Image.open(normalise_image(upload("w.png", data), name="w.png")) as image:
        assert image.size == (2560, 1280)


def test_normalise_never_scales_up():
    with Image.open(normalise_image(upload("s.jpg", image_bytes()), name="s")) as img:
        assert img.size == (400, 300)


def test_normalise_validates_first():
    with pytest.raises(ValidationError) as caught:
        normalise_image(upload("b.png", bomb_png()), name="b.png")

    assert caught.value.code == "too_many_pixels"


# make_renditions ------------------------------------------------------------------


def store(name: str, data: bytes) -> str:
    return default_storage.save(name, BytesIO(data))


@pytest.mark.usefixtures("media")
def test_renditions_for_a_wide_jpeg():
    name = store("uploads/2026/05/wide.jpg", image_bytes((2000, 1000)))

    renditions = make_renditions(name)

    widths = [320, 640, 960, 1280, 1920]
    assert [(r["width"], r["format"]) for r in renditions] == [
        (width, image_format) for width in widths for image_format in ("jpeg", "webp")
    ]
    for rendition in renditions:
        assert rendition["height"] == rendition["width"] // 2
        extension = "jpg" if rendition["format"] == "jpeg" else "webp"
        assert rendition["name"] == (
            f"renditions/uploads/2026/05/wide-{rendition['width']}w.{extension}"
        )
        with default_storage.open(rendition["name"]) as file, Image.open(file) as im:
            assert im.format == rendition["format"].upper()
            assert im.size == (rendition["width"], rendition["height"])


@pytest.mark.usefixtures("media")
def test_renditions_of_a_png_are_png_and_webp_and_never_upscaled():
    data = image_bytes((700, 350), "PNG", mode="RGBA", colour=(9, 9, 9, 128))
    name = store("p.png", data)

    renditions = make_renditions(name)

    assert [(r["width"], r["format"]) for r in renditions] == [
        (320, "png"),
        (320, "webp"),
        (640, "png"),
        (640, "webp"),
    ]
    assert renditions[0]["name"] == "renditions/p-320w.png"
    with default_storage.open("renditions/p-640w.webp") as file:
        with Image.open(file) as image:
            assert (image.format, image.mode) == ("WEBP", "RGBA")


@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("width", [200, 320])
def test_small_image_gets_one_rendition_at_its_own_width(width):
    name = store("small.jpg", image_bytes((width, 100)))

    renditions = make_renditions(name)

    assert renditions == [
        {
            "width": width,
            "height": 100,
            "format": "jpeg",
            "name": f"renditions/small-{width}w.jpg",
            "bytes": default_storage.size(f"renditions/small-{width}w.jpg"),
        },
        {
            "width": width,
            "height": 100,
            "format": "webp",
            "name": f"renditions/small-{width}w.webp",
            "bytes": default_storage.size(f"renditions/small-{width}w.webp"),
        },
    ]


@pytest.mark.usefixtures("media")
def test_webp_source_falls_back_to_jpeg(settings):
    settings.NEWSROOM_RENDITION_WIDTHS = (100,)
    name = store("w.webp", image_bytes((300, 300), "WEBP"))

    assert [r["format"] for r in make_renditions(name)] == ["jpeg", "webp"]


@pytest.mark.usefixtures("media")
def test_renditions_are_deterministic_and_replace_old_files(media):
    name = store("d.jpg", image_bytes((700, 700)))

    first = make_renditions(name)
    second = make_renditions(name)

    assert first == second
    assert sorted(p.name for p in (media / "renditions").iterdir()) == [
        "d-320w.jpg",
        "d-320w.webp",
        "d-640w.jpg",
        "d-640w.webp",
    ]


# The model field, its form field and process_image_upload ------------------------


def test_formfield_is_ours():
    assert isinstance(ValidatedImageField().formfield(), ValidatedImageFormField)


@pytest.mark.parametrize(
    ("name", "data", "code", "start"),
    [
        (
            "bomb.png",
            bomb_png(),
            "too_many_pixels",
            f"The image is 30,000 {TIMES} 30,000",
        ),
        ("photo.jpg", b"plain text", "not_image", NOT_IMAGE_MESSAGE),
    ],
)
def test_form_field_gives_our_message(name, data, code, start):
    field = ValidatedImageField().formfield()

    with pytest.raises(ValidationError) as caught:
        field.clean(upload(name, data))

    assert caught.value.code == code
    assert caught.value.messages[0].startswith(start)
    assert "Upload a valid image" not in caught.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "code"),
    [("bomb.png", bomb_png(), "too_many_pixels"), ("photo.jpg", b"text", "not_image")],
)
def test_article_model_form_gives_our_message(name, data, code):
    from django.forms import modelform_factory

    from articles.models import Article  # imported here: the other tests need no DB

    form_class = modelform_factory(Article, fields=["lead_image"])
    form = form_class(data={}, files={"lead_image": upload(name, data)})

    assert not form.is_valid()
    assert form.errors.as_data()["lead_image"][0].code == code


def test_form_field_judges_by_content_not_extension():
    field = ValidatedImageField().formfield()

    cleaned = field.clean(upload("photo.txt", image_bytes(image_format="PNG")))

    assert cleaned.image.format == "PNG"


def test_form_field_too_large_message(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1024
    field = ValidatedImageField().formfield()

    with pytest.raises(ValidationError) as caught:
        field.clean(upload("a.jpg", noisy_jpeg((100, 100))))

    assert caught.value.code == "too_large"


def new_fieldfile(field: ValidatedImageField, file: BytesIO | None) -> FieldFile:
    """A FieldFile as the descriptor makes it when a form assigns an upload."""

    class Instance:
        pass

    fieldfile = FieldFile(Instance(), field, getattr(file, "name", None))
    if file is not None:
        fieldfile.file = file
        fieldfile._committed = False
    return fieldfile


def lead_field() -> ValidatedImageField:
    field = ValidatedImageField(upload_to="lead/")
    field.set_attributes_from_name("lead_image")
    return field


def test_model_validator_checks_new_uploads_only():
    field = lead_field()
    bomb = new_fieldfile(field, upload("b.png", bomb_png()))
    stored = FieldFile(object(), field, "lead/missing.jpg")  # not even in storage

    with pytest.raises(ValidationError) as caught:
        field.run_validators(bomb)
    field.run_validators(stored)

    assert caught.value.error_list[0].code == "too_many_pixels"


def test_deconstructs_as_itself_without_validators():
    field = ValidatedImageField("lead image", upload_to="articles/%Y/%m/", blank=True)

    _name, path, args, kwargs = field.deconstruct()

    assert path == "articles.images.ValidatedImageField"
    assert kwargs == {
        "verbose_name": "lead image",
        "upload_to": "articles/%Y/%m/",
        "blank": True,
    }
    assert ValidatedImageField(*args, **kwargs).deconstruct()[1:] == (
        path,
        args,
        kwargs,
    )


@pytest.mark.usefixtures("media")
def test_process_image_upload_normalises_stores_and_makes_renditions():
    data = image_bytes((1000, 500), exif=exif_with_gps(6))
    fieldfile = new_fieldfile(lead_field(), upload("My Photo.JPEG", data))

    renditions = process_image_upload(fieldfile)

    assert fieldfile.name == "lead/my-photo.jpg"
    assert fieldfile._committed
    with default_storage.open(fieldfile.name) as file, Image.open(file) as image:
        assert image.size == (500, 1000)
        assert not image.getexif()
    assert [(r["width"], r["format"]) for r in renditions] == [
        (320, "jpeg"),
        (320, "webp"),
    ]
    assert all(default_storage.exists(r["name"]) for r in renditions)


def test_process_image_upload_ignores_stored_and_empty_files():
    field = lead_field()

    assert process_image_upload(FieldFile(object(), field, "lead/old.jpg")) is None
    assert process_image_upload(new_fieldfile(field, None)) is None
    assert process_image_upload(None) is None


@pytest.mark.usefixtures("media")
def test_process_image_upload_refuses_bad_images(media):
    fieldfile = new_fieldfile(lead_field(), upload("x.jpg", b"text"))

    with pytest.raises(ValidationError):
        process_image_upload(fieldfile)

    assert not any(media.rglob("*.*"))
