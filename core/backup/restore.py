"""
Restoring an archive into an empty site, all or nothing.

A restore checks everything it can before touching anything: the archive
reads to its end, the format version is one it knows, the migrations match,
the database and media folder are empty (or ``force`` was given), and every
member's checksum matches. Then the rows are replaced in one transaction and
the media folder is swapped for the restored one (written beside it first) as
its last step, so a failure at any point leaves the site as it was.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import posixpath
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.utils import timezone

from articles.models import Article
from articles.search import update_search_vectors
from caching.reset import forget_everything
from comments import policy as moderation_policy
from core.backup.archive import (
    CHUNK,
    DATA,
    FORMAT,
    FORMAT_VERSION,
    MADE_BY_MIGRATE,
    MANIFEST,
    MEDIA_PREFIX,
    BackupError,
    applied_migrations,
    dumped_models,
    media_files,
    row_counts,
)
from core.backup.bucket import check_empty as check_bucket_empty
from core.backup.bucket import upload

#: A manifest lists about 150 bytes per media file; this allows ~400,000 files.
_MANIFEST_MAX = 64 * 1024 * 1024
_READ_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, gzip.BadGzipFile)


@dataclass(frozen=True)
class RestoreResult:
    rows: int
    media_files: int
    replaced_media: Path | None
    # Whether the shared cache was emptied (pages, fragments, counts): False
    # when it could not be reached, and what it holds ages out by itself.
    cache_emptied: bool = True


def backup_restore(
    *,
    archive: Path,
    media_root: Path,
    using: str = "default",
    force: bool = False,
    storage: Storage | None = None,
) -> RestoreResult:
    """
    Restore ``archive`` into the database ``using`` and ``media_root``, or
    into ``storage`` when one is given (a bucket: ``remote_media_storage()``).

    Raises BackupError, with nothing changed, when the archive is damaged,
    of an unknown format, from other migrations, fails a checksum, or when
    the database or media folder (or bucket) hold data and ``force`` is not
    given. With ``force``, a bucket's files of the same names are replaced.
    """
    if not archive.is_file():
        raise BackupError(f"There is no backup file at {archive}.")
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        work_dir = Path(work)
        manifest = _unpack(archive, work_dir)
        _check_migrations(manifest, using)
        if not force:
            _check_empty(using, media_root, storage)
        set_aside = _load(
            work_dir / DATA, manifest, using, work_dir / "media", media_root, storage
        )
    # Every cached page, fragment and count was made from the rows just
    # replaced, some of them from pieces the backup does not hold at all.
    emptied = forget_everything()
    return RestoreResult(
        rows=sum(manifest["row_counts"].values()),
        media_files=len(manifest["media"]),
        replaced_media=set_aside,
        cache_emptied=emptied,
    )


def _damaged(archive: Path, reason: str) -> BackupError:
    return BackupError(
        f"The backup {archive.name} is damaged or incomplete ({reason}); "
        "nothing was restored."
    )


def _unpack(archive: Path, work_dir: Path) -> dict:
    """
    Read the whole archive into ``work_dir``, checking every member.

    The tar is read in one pass, in order; members are written only under
    ``work_dir``, by names checked here, never by the names the tar gives.
    """
    manifest: dict | None = None
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name == MANIFEST and manifest is None:
                    manifest = _read_manifest(archive, tar, member)
                    continue
                if manifest is None:
                    raise _damaged(archive, "the manifest is not its first member")
                target = _member_target(archive, manifest, member, work_dir)
                _extract_checked(archive, tar, member, target, manifest)
                seen.add(member.name)
    except _READ_ERRORS as error:
        raise _damaged(archive, _reason(error)) from None
    if manifest is None:
        raise _damaged(archive, "it holds no manifest")
    expected = {DATA} | {MEDIA_PREFIX + name for name in manifest["media"]}
    missing = sorted(expected - seen)
    if missing:
        raise _damaged(
            archive, f"{len(missing)} listed files are missing: {missing[0]}"
        )
    return manifest


def _reason(error: BaseException) -> str:
    text = str(error).strip().rstrip(".")
    return text or type(error).__name__


def _read_manifest(archive: Path, tar: tarfile.TarFile, member: tarfile.TarInfo):
    file = tar.extractfile(member)
    try:
        text = file.read(_MANIFEST_MAX + 1) if file else b""
        manifest = json.loads(text) if 0 < len(text) <= _MANIFEST_MAX else None
    except (ValueError, UnicodeDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive.name} is not a newsroom backup (its manifest does not "
            "say so); nothing was restored."
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"The backup {archive.name} is in format version {version}, and this "
            f"version of the newsroom reads format version {FORMAT_VERSION} only; "
            "nothing was restored. Restore it with the release that made it."
        )
    keys = {"migrations", "row_counts", "data", "media"}
    if not keys <= manifest.keys():
        raise _damaged(archive, "its manifest is incomplete")
    return manifest


def _member_target(
    archive: Path, manifest: dict, member: tarfile.TarInfo, work_dir: Path
) -> Path:
    """Where a member goes in ``work_dir``; only listed, plain files qualify."""
    name = member.name
    if name == DATA and member.isfile():
        return work_dir / DATA
    relative = name.removeprefix(MEDIA_PREFIX)
    listed = name.startswith(MEDIA_PREFIX) and relative in manifest["media"]
    safe = (
        posixpath.normpath(relative) == relative
        and not relative.startswith(("/", "../"))
        and relative != ".."
    )
    if not (listed and safe and member.isfile()):
        raise _damaged(archive, f"it holds a file its manifest does not list: {name}")
    return work_dir / "media" / relative


def _extract_checked(
    archive: Path,
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    target: Path,
    manifest: dict,
) -> None:
    """
    Copy one member out, refusing it unless size and SHA-256 match.

    Reading stops one byte past the listed size, so a member that claims to be
    small but inflates without end cannot fill the disk.
    """
    if member.name == DATA:
        expected, shown = manifest["data"], DATA
    else:
        shown = member.name.removeprefix(MEDIA_PREFIX)
        expected = manifest["media"][shown]
    source = tar.extractfile(member)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while size <= expected["size"] and (chunk := source.read(CHUNK)):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(
            f"The file {shown} in the backup {archive.name} does not match its "
            "checksum: the archive was changed or damaged after it was made. "
            "Nothing was restored."
        )


def _check_migrations(manifest: dict, using: str) -> None:
    here = applied_migrations(using)
    there = manifest["migrations"]
    if here == there:
        return
    if not here:
        raise BackupError(
            "The database has no tables yet: run `manage.py migrate` first, "
            "then restore. Nothing was restored."
        )
    only_there = sorted(
        f"{app}.{name}"
        for app, names in there.items()
        for name in set(names) - set(here.get(app, []))
    )
    only_here = sorted(
        f"{app}.{name}"
        for app, names in here.items()
        for name in set(names) - set(there.get(app, []))
    )
    differences = [
        *(f"only in the backup: {name}" for name in only_there[:3]),
        *(f"only in this database: {name}" for name in only_here[:3]),
    ]
    raise BackupError(
        "The backup was made at other migrations than this database has "
        f"({'; '.join(differences)}). Restore with the release that made the "
        "backup, then upgrade. Nothing was restored."
    )


def _check_empty(using: str, media_root: Path, storage: Storage | None) -> None:
    held = [
        f"{count} {label}"
        for label, count in sorted(row_counts(using).items())
        if count and label not in MADE_BY_MIGRATE
    ]
    if held:
        shown = ", ".join(held[:4]) + (", …" if len(held) > 4 else "")
        raise BackupError(
            f"The database is not empty (it holds {shown}). Restore into a "
            "freshly migrated database, or pass --force to replace everything "
            "in it. Nothing was restored."
        )
    if storage is not None:
        check_bucket_empty(storage)
    elif media_files(media_root):
        raise BackupError(
            f"The media folder {media_root} is not empty. Restore into an empty "
            "folder, or pass --force to set the present one aside. Nothing was "
            "restored."
        )


def _load(
    data: Path,
    manifest: dict,
    using: str,
    restored_media: Path,
    media_root: Path,
    storage: Storage | None,
) -> Path | None:
    """Replace every row, then swap the media folder in (or upload the files
    into the bucket), all or nothing."""
    restored_media.mkdir(exist_ok=True)
    swapped: Path | None = None
    set_aside: Path | None = None
    # Natural keys are looked up through ContentType's process-wide cache,
    # which may hold ids of another database known by the same alias.
    ContentType.objects.clear_cache()
    try:
        with transaction.atomic(using=using):
            _clear_tables(using)
            call_command("loaddata", str(data), database=using, verbosity=0)
            loaded = row_counts(using)
            if loaded != manifest["row_counts"]:
                wrong = sorted(
                    label
                    for label in loaded.keys() | manifest["row_counts"].keys()
                    if loaded.get(label) != manifest["row_counts"].get(label)
                )
                raise BackupError(
                    "After loading, the row counts differ from the backup's "
                    f"manifest ({', '.join(wrong[:4])}); nothing was restored."
                )
            _refresh_search(using)
            # Posts read the moderation policy from the shared cache.
            moderation_policy.forget(using=using)
            if storage is not None:
                # Last: a failure here rolls the rows back and takes the
                # uploaded files out again.
                upload(storage, restored_media, sorted(manifest["media"]))
            else:
                set_aside = _swap_media(restored_media, media_root)
                swapped = media_root
    except BaseException:
        if swapped is not None:
            _unswap_media(media_root, restored_media, set_aside)
        raise
    return set_aside


def _clear_tables(using: str) -> None:
    """Empty every dumped table, join tables included, in this transaction."""
    connection = connections[using]
    tables = set()
    for model in dumped_models():
        tables.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created:
                tables.add(field.remote_field.through._meta.db_table)
    statements = connection.ops.sql_flush(
        no_style(), sorted(tables), reset_sequences=False, allow_cascade=False
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _refresh_search(using: str) -> None:
    """Rebuild PostgreSQL's search vectors, which the dump carries as text."""
    update_search_vectors(Article.objects.using(using).all())


def _swap_media(restored: Path, media_root: Path) -> Path | None:
    """Move the restored folder into place; return where the old one went."""
    set_aside = None
    if media_root.exists():
        if media_files(media_root):
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            set_aside = media_root.with_name(
                f"{media_root.name}.before-restore-{stamp}"
            )
            media_root.rename(set_aside)
        else:
            shutil.rmtree(media_root)
    os.replace(restored, media_root)
    return set_aside


def _unswap_media(media_root: Path, restored: Path, set_aside: Path | None) -> None:
    with contextlib.suppress(OSError):
        os.replace(media_root, restored)
    if set_aside is not None:
        set_aside.rename(media_root)
