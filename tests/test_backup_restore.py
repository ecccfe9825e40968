"""
`manage.py backup` and `manage.py restore`: a newsroom saved and brought back whole.

The test database is seeded with the demo newsroom and more (revisions,
comments of every status with their audit log, reports, bans, corrections,
preview links, tags, images with renditions) and backed up. The archive is then
restored into a second, freshly migrated database (a new SQLite file, or a new
PostgreSQL database next to the test one) and an empty MEDIA_ROOT, and every
row of every model and every media file is compared with the original.

The second database is used from a worker thread whose "default" connection
points at it (the way tests/comments/test_concurrency.py shares a database),
so the commands and the site run there exactly as they would in production.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import reversion
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from articles import services as article_services
from articles.models import Article, Section
from comments import services as comment_services
from comments.models import AuditEntry, Comment, ModerationSettings
from core.backup import FORMAT_VERSION, dumped_models
from core.roles import sync_groups
from tests.articles.test_images import noisy_jpeg
from tests.comments.conftest import comment_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    BanFactory,
    CommentFactory,
    CorrectionFactory,
    PreviewLinkFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _made_by_migrate():
    """
    Put back the rows ``migrate`` makes (role groups, moderation settings):
    these tests commit, and tests like them flush the database afterwards.
    """
    sync_groups(django_apps)
    ModerationSettings.load()


# A realistic newsroom ----------------------------------------------------------


@pytest.fixture
def newsroom(django_user_model):
    """The demo newsroom plus every kind of row a backup must carry."""
    call_command("seed_demo", force=True, stdout=io.StringIO())
    editor, moderator = (
        django_user_model.objects.get(username=name) for name in ("editor", "moderator")
    )
    author = AuthorFactory(
        name="Amara O.",
        slug="amara-o",
        photo=SimpleUploadedFile("Amara.JPG", noisy_jpeg((700, 700))),
    )
    article = ArticleFactory(
        headline="Ferry timetable “to change” in spring – 春",
        status=Article.Status.DRAFT,
        publish_at=None,
        authors=[author],
        lead_image=SimpleUploadedFile("Harbour.jpg", noisy_jpeg((1000, 600))),
        lead_image_alt="The harbour at dawn",
    )
    article.tags.add("Transport", "Ferries")
    article_services.article_submit(article=article, user=editor)
    article_services.article_update(
        article=article,
        user=editor,
        expected_version=article.version,
        fields={"dek": "Earlier sailings from April."},
    )
    article_services.article_publish(article=article, user=editor)
    for status in Comment.Status.values:
        CommentFactory(article=article, status=status, body=f"A {status} comment.")
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    comment_services.comment_approve(comment=held, actor=moderator, reason="fine")
    ReportFactory(comment=held, reason="spam")
    BanFactory(reason="Abuse", created_by=moderator)
    CorrectionFactory(article=article)
    PreviewLinkFactory(created_by=editor)
    with reversion.create_revision():
        reversion.set_comment("A revision outside the workflow")
        Article.objects.get(pk=article.pk).save()
    ArticleFactory(
        headline="Embargoed: budget leaks",
        slug="embargoed-budget",
        status=Article.Status.DRAFT,
        publish_at=None,
    )
    return article


def snapshot() -> dict:
    """Every row of every backed-up model, serialised, and every media file's hash."""
    from django.conf import settings

    rows = {
        model._meta.label_lower: json.loads(
            serializers.serialize(
                "json",
                model._base_manager.order_by("pk"),
                use_natural_foreign_keys=True,
            )
        )
        for model in dumped_models()
    }
    root = Path(settings.MEDIA_ROOT)
    media = {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    return {"rows": rows, "media": media}


# A second, empty database -------------------------------------------------------


def in_thread_on(database: dict, work):
    """Call ``work()`` in a thread whose "default" database is ``database``."""
    original = connections.settings["default"]
    result, errors = [], []

    def target():
        connections.settings["default"] = database
        ContentType.objects.clear_cache()  # its ids are per database
        try:
            result.append(work())
        except BaseException as error:  # raised again in the caller
            errors.append(error)
        finally:
            connections["default"].close()
            ContentType.objects.clear_cache()

    thread = threading.Thread(target=target)
    try:
        thread.start()
        thread.join()
    finally:
        connections.settings["default"] = original
    if errors:
        raise errors[0]
    return result[0]


def postgres_execute(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(scope="module")
def migrated_template(django_db_setup, django_db_blocker, tmp_path_factory):
    """
    A freshly migrated database, made once per module and copied per test:
    what ``manage.py migrate`` on a new server gives, and nothing else.
    """
    original = connections.settings["default"]
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            name = f"{connection.settings_dict['NAME']}_template"
            postgres_execute(
                f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'
            )
        else:
            name = str(tmp_path_factory.mktemp("template") / "migrated.sqlite3")
        template = {**original, "NAME": name}
        in_thread_on(template, lambda: call_command("migrate", verbosity=0))
        yield template
        if connection.vendor == "postgresql":
            postgres_execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def empty_database(migrated_template, tmp_path):
    """
    A new, migrated, empty database of the test run's kind, and a way to use
    it: ``empty_database(work)`` calls ``work()`` in a thread where it is the
    "default" database.
    """
    template = migrated_template["NAME"]
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restored"
        postgres_execute(
            f'DROP DATABASE IF EXISTS "{name}"',
            f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
        )
    else:
        name = str(tmp_path / "restored.sqlite3")
        shutil.copyfile(template, name)
    database = {**migrated_template, "NAME": name}
    yield lambda work: in_thread_on(database, work)
    if connection.vendor == "postgresql":
        postgres_execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def archive(newsroom, tmp_path):
    path = tmp_path / "backups" / "newsroom.tar.gz"
    call_command("backup", output=str(path), stdout=io.StringIO())
    return path


@pytest.fixture
def small_archive(tmp_path):
    """A backup of a one-article newsroom, for the tests that break archives."""
    UserFactory(username="reporter")
    article = ArticleFactory(
        lead_image=SimpleUploadedFile("Pier.jpg", noisy_jpeg((400, 300))),
        lead_image_alt="The pier",
    )
    CommentFactory(article=article)
    path = tmp_path / "backups" / "small.tar.gz"
    call_command("backup", output=str(path), stdout=io.StringIO())
    return path


@pytest.fixture
def new_media(settings, tmp_path):
    """After the backup, MEDIA_ROOT moves to a new, empty folder."""
    root = tmp_path / "restored-media"

    def switch():
        settings.MEDIA_ROOT = root
        return root

    return switch


# Backup and restore -------------------------------------------------------------


def test_restore_brings_back_every_row_and_file_identical(
    archive, empty_database, new_media
):
    before = snapshot()
    new_media()

    out = io.StringIO()
    empty_database(lambda: call_command("restore", str(archive), stdout=out))
    after = empty_database(snapshot)

    assert after == before
    assert f"Restored {sum(len(v) for v in before['rows'].values()):,} rows" in (
        out.getvalue()
    )
    counts = {label: len(rows) for label, rows in after["rows"].items()}
    assert counts["articles.article"] >= 14
    assert counts["reversion.revision"] >= 4
    assert counts["reversion.version"] >= counts["reversion.revision"]
    assert {row["fields"]["status"] for row in after["rows"]["comments.comment"]} == (
        set(Comment.Status.values)
    )
    for label in (
        "comments.auditentry",
        "comments.ban",
        "comments.report",
        "articles.correction",
        "articles.previewlink",
        "articles.taggedarticle",
        "auth.user",
        "auth.group",
    ):
        assert counts[label] > 0, label
    renditions = [name for name in after["media"] if name.startswith("renditions/")]
    assert len(renditions) >= 8 and len(after["media"]) > len(renditions)


def test_the_restored_site_publishes_and_takes_comments(
    archive, empty_database, new_media
):
    biggest_section = Section.objects.order_by("-pk").first().pk
    biggest_comment = Comment.objects.order_by("-pk").first().pk
    new_media()

    def use_the_site():
        call_command("restore", str(archive), stdout=io.StringIO())
        user = User.objects.get(username="editor")
        article = article_services.article_publish(
            article=Article.objects.get(slug="embargoed-budget"), user=user
        )
        config = ModerationSettings.load()
        config.trusted_after_approved = 0
        config.save()
        client = Client()
        page = client.get(article.get_absolute_url())
        posted = client.post(
            reverse("comments:post", args=[article.pk]),
            comment_data(body="Does the spring timetable keep the late boat?"),
        )
        section = Section.objects.create(name="After the restore", slug="after")
        comment = Comment.objects.get(body__startswith="Does the spring")
        return page.status_code, posted.status_code, section.pk, comment.pk

    page, posted, section_pk, comment_pk = empty_database(use_the_site)

    assert page == 200
    assert posted == 303  # back to the article, comment stored
    assert section_pk > biggest_section
    assert comment_pk > biggest_comment


def test_backup_manifest_lists_counts_migrations_and_checksums(archive):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        image = next(name for name in names if name.startswith("media/articles/"))
        data = tar.extractfile(image).read()

    assert names[:2] == ["manifest.json", "data.json"]
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["row_counts"]["articles.article"] == Article.objects.count()
    assert manifest["row_counts"]["reversion.version"] == Version.objects.count()
    assert "0001_initial" in manifest["migrations"]["articles"]
    entry = manifest["media"][image.removeprefix("media/")]
    assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert "contenttypes.contenttype" not in manifest["row_counts"]
    assert "sessions.session" not in manifest["row_counts"]


def test_backup_leaves_no_partial_file_when_it_fails(newsroom, tmp_path, monkeypatch):
    from core.backup import dump

    def fail(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(dump, "_add_bytes", fail)
    output = tmp_path / "out" / "newsroom.tar.gz"

    with pytest.raises(OSError, match="No space left"):
        call_command("backup", output=str(output), stdout=io.StringIO())

    assert list(output.parent.iterdir()) == []


# Refusals: nothing restored -----------------------------------------------------


def restore_refused(empty_database, path: Path, *options: str) -> tuple[str, dict]:
    """Run a restore that must fail; return its message and the database after."""

    def attempt():
        with pytest.raises(CommandError) as caught:
            call_command("restore", str(path), *options, stdout=io.StringIO())
        return str(caught.value), snapshot()

    return empty_database(attempt)


@pytest.fixture
def empty_state(empty_database, new_media):
    """What the second database and the new MEDIA_ROOT hold before any restore."""
    root = new_media()
    return empty_database(snapshot), root


def rewrite(source: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting ``change(name, data)`` edit."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def test_truncated_archive_is_refused_and_nothing_restored(
    small_archive, empty_database, empty_state
):
    before, root = empty_state
    cut = small_archive.with_name("cut.tar.gz")
    cut.write_bytes(small_archive.read_bytes()[: small_archive.stat().st_size * 2 // 3])

    message, after = restore_refused(empty_database, cut)

    assert message.startswith("The backup cut.tar.gz is damaged or incomplete (")
    assert message.endswith("); nothing was restored.")
    assert after == before
    assert not root.exists() or not any(root.rglob("*"))
    assert not list(root.parent.glob(".restore-*"))


def test_file_that_is_not_an_archive_is_refused(
    small_archive, empty_database, empty_state
):
    before, _root = empty_state
    junk = small_archive.with_name("notes.tar.gz")
    junk.write_bytes(b"These are not the files you are looking for.\n" * 40)

    message, after = restore_refused(empty_database, junk)

    assert message.startswith("The backup notes.tar.gz is damaged or incomplete (")
    assert after == before


def test_tampered_media_file_is_refused_by_its_checksum(
    small_archive, empty_database, empty_state
):
    before, root = empty_state

    def swap_pixels(name, data):
        if name.startswith("media/articles/"):
            return data[:-10] + b"0123456789"
        return data

    tampered = rewrite(
        small_archive, small_archive.with_name("tampered.tar.gz"), swap_pixels
    )
    image = next(
        name
        for name in tarfile.open(tampered).getnames()
        if name.startswith("media/articles/")
    )

    message, after = restore_refused(empty_database, tampered)

    assert message == (
        f"The file {image.removeprefix('media/')} in the backup tampered.tar.gz "
        "does not match its checksum: the archive was changed or damaged after "
        "it was made. Nothing was restored."
    )
    assert after == before
    assert not root.exists() or not any(root.rglob("*"))


def test_tampered_rows_are_refused_by_their_checksum(
    small_archive, empty_database, empty_state
):
    before, _root = empty_state

    def promote(name, data):
        if name != "data.json":
            return data
        promoted = data.replace(b'"is_superuser": false', b'"is_superuser": true')
        assert promoted != data
        return promoted

    tampered = rewrite(small_archive, small_archive.with_name("rows.tar.gz"), promote)

    message, after = restore_refused(empty_database, tampered)

    assert message.startswith("The file data.json in the backup rows.tar.gz does not")
    assert after == before


def test_file_added_to_the_archive_is_refused(
    small_archive, empty_database, empty_state
):
    before, _root = empty_state
    extra = small_archive.with_name("extra.tar.gz")
    with tarfile.open(small_archive) as old, tarfile.open(extra, "w:gz") as new:
        for member in old:
            new.addfile(member, old.extractfile(member))
        info = tarfile.TarInfo("media/../../evil.sh")
        info.size = 4
        new.addfile(info, io.BytesIO(b"boom"))

    message, after = restore_refused(empty_database, extra)

    assert message == (
        "The backup extra.tar.gz is damaged or incomplete (it holds a file its "
        "manifest does not list: media/../../evil.sh); nothing was restored."
    )
    assert after == before


def test_unknown_format_version_is_refused(small_archive, empty_database, empty_state):
    before, _root = empty_state

    def future(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["format_version"] = 99
        return json.dumps(manifest).encode()

    newer = rewrite(small_archive, small_archive.with_name("newer.tar.gz"), future)

    message, after = restore_refused(empty_database, newer)

    assert message == (
        "The backup newer.tar.gz is in format version 99, and this version of "
        f"the newsroom reads format version {FORMAT_VERSION} only; nothing was "
        "restored. Restore it with the release that made it."
    )
    assert after == before


def test_archive_from_other_migrations_is_refused(
    small_archive, empty_database, empty_state
):
    before, _root = empty_state

    def older(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["articles"].append("0099_from_the_future")
        return json.dumps(manifest).encode()

    message, after = restore_refused(
        empty_database,
        rewrite(small_archive, small_archive.with_name("m.tar.gz"), older),
    )

    assert message == (
        "The backup was made at other migrations than this database has (only in "
        "the backup: articles.0099_from_the_future). Restore with the release "
        "that made the backup, then upgrade. Nothing was restored."
    )
    assert after == before


def test_database_that_holds_data_is_refused_without_force(
    small_archive, empty_database
):
    def attempt():
        UserFactory(username="someone")
        Section.objects.create(name="Local", slug="local")
        with pytest.raises(CommandError) as caught:
            call_command("restore", str(small_archive), stdout=io.StringIO())
        return str(caught.value), Section.objects.count()

    message, sections = empty_database(attempt)

    assert message == (
        "The database is not empty (it holds 1 articles.section, 1 auth.user). "
        "Restore into a freshly migrated database, or pass --force to replace "
        "everything in it. Nothing was restored."
    )
    assert sections == 1


def test_media_folder_that_holds_files_is_refused_without_force(
    small_archive, empty_database, new_media
):
    root = new_media()
    (root / "keep").mkdir(parents=True)
    (root / "keep" / "photo.jpg").write_bytes(b"mine")

    message, after = restore_refused(empty_database, small_archive)

    assert message == (
        f"The media folder {root} is not empty. Restore into an empty folder, or "
        "pass --force to set the present one aside. Nothing was restored."
    )
    assert list(after["media"]) == ["keep/photo.jpg"]
    assert after["rows"]["articles.article"] == []


def test_force_replaces_data_and_sets_old_media_aside(
    archive, empty_database, new_media
):
    before = snapshot()
    root = new_media()
    (root / "keep").mkdir(parents=True)
    (root / "keep" / "photo.jpg").write_bytes(b"mine")

    def forced():
        Section.objects.create(name="Local", slug="local-only")
        out = io.StringIO()
        call_command("restore", str(archive), "--force", stdout=out)
        return out.getvalue(), snapshot()

    out, after = empty_database(forced)

    assert after == before
    aside = next(root.parent.glob(f"{root.name}.before-restore-*"))
    assert (aside / "keep" / "photo.jpg").read_bytes() == b"mine"
    assert f"The previous media folder is at {aside}" in out


def test_a_failure_while_loading_rolls_everything_back(
    small_archive, empty_database, empty_state, monkeypatch
):
    from core.backup import restore

    before, root = empty_state

    def broken(using):
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(restore, "_refresh_search", broken)

    def attempt():
        with pytest.raises(RuntimeError):
            call_command("restore", str(small_archive), stdout=io.StringIO())
        return snapshot()

    assert empty_database(attempt) == before
    assert not root.exists() or not any(root.rglob("*"))


def test_missing_archive_is_a_clear_error(empty_database, tmp_path):
    message, _after = restore_refused(empty_database, tmp_path / "nowhere.tar.gz")

    assert message == f"There is no backup file at {tmp_path / 'nowhere.tar.gz'}."


def test_revisions_restore_with_their_serialised_data(
    archive, empty_database, new_media
):
    originals = list(
        Version.objects.order_by("pk").values_list(
            "pk", "object_id", "serialized_data", "revision__comment"
        )
    )
    new_media()

    def restored():
        call_command("restore", str(archive), stdout=io.StringIO())
        return (
            list(
                Version.objects.order_by("pk").values_list(
                    "pk", "object_id", "serialized_data", "revision__comment"
                )
            ),
            Revision.objects.count(),
            AuditEntry.objects.count(),
        )

    versions, revisions, audit = empty_database(restored)

    assert versions == originals
    assert revisions == Revision.objects.count()
    assert audit == AuditEntry.objects.count() > 0
    assert (
        timezone.now() - timedelta(minutes=5)
        < Revision.objects.latest("date_created").date_created
    )


def test_sqlite_backup_lets_the_site_write_meanwhile(
    empty_database, tmp_path, monkeypatch
):
    """The dump reads a snapshot without the write lock readers' posts need."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's snapshot never blocks writers")
    import sqlite3

    from core.backup import dump as backup_dump

    dump = backup_dump._dump

    def dump_then_write(path, using):
        dump(path, using)
        writer = sqlite3.connect(connections[using].settings_dict["NAME"], timeout=1)
        writer.execute(
            "INSERT INTO articles_section (name, slug, description, position) "
            "VALUES ('Late', 'late', '', 9)"
        )
        writer.commit()
        writer.close()

    monkeypatch.setattr(backup_dump, "_dump", dump_then_write)
    output = tmp_path / "during.tar.gz"

    def work():
        Section.objects.create(name="Early", slug="early")
        call_command("backup", output=str(output), stdout=io.StringIO())
        return Section.objects.count()

    assert empty_database(work) == 2
    with tarfile.open(output) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["row_counts"]["articles.section"] == 1


def test_a_restore_empties_the_shared_cache_of_the_site_it_replaced(
    archive, empty_database, new_media
):
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    new_media()
    # What the replaced site had cached: a page, a fragment, a count.
    cache.set_many({"page:v5:old": b"stale page", "fragment:v2:x": "stale", "n": 3})
    foreign = None
    if isinstance(cache, RedisCache):  # another application's key, same db
        foreign = cache._cache.get_client(write=True)
        foreign.set("other-app:key", "kept")

    def forced():
        out = io.StringIO()
        call_command("restore", str(archive), "--force", stdout=out)
        return out.getvalue()

    out = empty_database(forced)

    assert cache.get_many(["page:v5:old", "fragment:v2:x", "n"]) == {}
    assert "could not be emptied" not in out
    if foreign is not None:
        assert foreign.get("other-app:key") == b"kept"
        foreign.delete("other-app:key")


def test_a_restore_says_so_when_the_cache_cannot_be_emptied(
    archive, empty_database, new_media, monkeypatch, settings
):
    from caching import reset

    new_media()
    settings.NEWSROOM_EDGE_PURGE = "varnish"

    class Unreachable:
        def clear(self):
            raise ConnectionError("cache down")

    monkeypatch.setattr(reset, "cache", Unreachable())

    def forced():
        out = io.StringIO()
        call_command("restore", str(archive), "--force", stdout=out)
        return out.getvalue()

    out = empty_database(forced)

    assert "The shared cache could not be emptied" in out
    assert "Purge everything at the CDN (varnish)" in out
    assert out.startswith("Restored ")  # the rows are restored all the same
