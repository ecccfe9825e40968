"""
Backup and restore with media in a bucket (MEDIA_STORAGE=s3), on a real S3
server: the archive holds every object of the bucket, and a restore puts them
back, byte for byte, into an empty bucket of a freshly migrated site.

The second, empty database is tests/test_backup_restore.py's (its fixtures
are imported in tests/stack/conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import ModerationSettings
from core.backup import bucket as bucket_module
from core.roles import sync_groups
from tests.articles.test_images import noisy_jpeg
from tests.factories import ArticleFactory
from tests.stack.test_object_storage import editor_client, editor_post, local_files

# Committed rows: the restore runs against a second database from a thread,
# and PostgreSQL cannot create or drop databases inside a transaction.
pytestmark = [pytest.mark.stack, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _made_by_migrate():
    """The rows ``migrate`` makes, which the flush after each test removes."""
    sync_groups(django_apps)
    ModerationSettings.load()


def hashes(bucket) -> dict[str, str]:
    return {key: hashlib.sha256(bucket.read(key)).hexdigest() for key in bucket.keys()}


@pytest.fixture
def site_in_bucket(editor, bucket):
    """A piece with a lead image and an editor's upload, all in ``bucket``."""
    ArticleFactory(
        headline="Harbour reopens",
        lead_image=SimpleUploadedFile("harbour.jpg", noisy_jpeg((1000, 700))),
        lead_image_alt="The harbour",
    )
    editor_post(editor_client(editor), noisy_jpeg((700, 500)))
    return bucket


@pytest.fixture
def archive(site_in_bucket, tmp_path):
    path = tmp_path / "backups" / "bucket.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    assert f"and {len(site_in_bucket.keys())} media files" in out.getvalue()
    return path


def test_backup_holds_every_object_of_the_bucket(site_in_bucket, archive):
    before = hashes(site_in_bucket)

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        members = {
            member.name.removeprefix("media/"): hashlib.sha256(
                tar.extractfile(member).read()
            ).hexdigest()
            for member in tar
            if member.name.startswith("media/")
        }

    # Two originals: 1000 px wide (3 widths) and 700 px (2), each width twice.
    assert len(before) == 1 + 3 * 2 + 1 + 2 * 2
    assert members == before
    assert {name: item["sha256"] for name, item in manifest["media"].items()} == before
    assert local_files() == []


def test_restore_into_an_empty_bucket_gives_identical_files(
    site_in_bucket, archive, make_bucket, empty_database
):
    before = hashes(site_in_bucket)
    headline = Article.objects.get().lead_image.name
    target = make_bucket()
    assert target.keys() == []

    out = io.StringIO()
    restored = empty_database(
        lambda: (
            call_command("restore", str(archive), stdout=out),
            Article.objects.get().lead_image.name,
        )[1]
    )

    assert hashes(target) == before
    assert restored == headline
    assert f"and {len(before)} media files." in out.getvalue()
    assert not list(django_settings.MEDIA_ROOT.parent.glob(".restore-*"))
    assert local_files() == []


def test_a_bucket_that_holds_files_is_refused_without_force(
    archive, make_bucket, empty_database
):
    target = make_bucket()
    target.put("keep/photo.jpg", b"mine")

    def attempt():
        with pytest.raises(CommandError) as caught:
            call_command("restore", str(archive), stdout=io.StringIO())
        return str(caught.value), Article.objects.count()

    message, articles = empty_database(attempt)

    assert message == (
        f"The media bucket {target.name} is not empty. Restore into an empty "
        "bucket, or pass --force to replace the files the backup holds (others "
        "are left as they are). Nothing was restored."
    )
    assert articles == 0
    assert target.keys() == ["keep/photo.jpg"]


def test_an_upload_failing_midway_rolls_back_rows_and_objects(
    archive, make_bucket, empty_database, monkeypatch
):
    target = make_bucket()
    real_save = bucket_module.File
    opened = []

    def failing_file(file, name):
        opened.append(name)
        if len(opened) == 4:
            raise OSError("the bucket went away")
        return real_save(file, name=name)

    monkeypatch.setattr(bucket_module, "File", failing_file)

    def attempt():
        with pytest.raises(OSError, match="went away"):
            call_command("restore", str(archive), stdout=io.StringIO())
        return Article.objects.count()

    assert empty_database(attempt) == 0
    assert len(opened) == 4
    assert target.keys() == []
