"""
Writing the archive: one snapshot of the rows, every media file, a manifest.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import django
from django.core import serializers
from django.core.files.storage import Storage
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from core.backup import serializer
from core.backup.archive import (
    DATA,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_PREFIX,
    applied_migrations,
    describe,
    dumped_models,
    media_files,
    row_counts,
)
from core.backup.bucket import download, stored_names


def backup_create(
    *,
    output: Path,
    media_root: Path,
    using: str = "default",
    storage: Storage | None = None,
) -> dict:
    """
    Write the archive to ``output`` and return its manifest.

    The media comes from ``media_root``, or from ``storage`` when one is given
    (a bucket: ``remote_media_storage()``), copied into the work folder
    first so both are archived alike.

    The rows are read in one transaction (REPEATABLE READ on PostgreSQL), so
    the dump and its counts describe one moment even while the site runs.
    The archive is written under a temporary name and renamed when complete,
    so a failed backup never leaves a file that looks like a good one.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tempfile.TemporaryDirectory() as work:
            data_path = Path(work) / DATA
            with _snapshot(using):
                counts = row_counts(using)
                migrations = applied_migrations(using)
                _dump(data_path, using)
            if storage is not None:
                media_root = Path(work) / "media"
                download(storage, stored_names(storage), media_root)
            media = media_files(media_root)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "django": django.get_version(),
                "database_vendor": connections[using].vendor,
                "migrations": migrations,
                "row_counts": counts,
                "data": describe(data_path),
                "media": {name: describe(path) for name, path in media},
            }
            with tarfile.open(partial, "w:gz") as archive:
                _add_bytes(archive, MANIFEST, _json_bytes(manifest))
                archive.add(data_path, arcname=DATA, recursive=False)
                for name, path in media:
                    archive.add(path, arcname=MEDIA_PREFIX + name, recursive=False)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """
    One read transaction that sees the database as it was when it began.

    PostgreSQL: REPEATABLE READ. SQLite in WAL mode gives every transaction a
    snapshot, but the site opens its transactions with BEGIN IMMEDIATE, which
    takes the write lock: readers posting comments would wait (and, past the
    busy timeout, fail) for the whole dump. A DEFERRED transaction reads
    without taking it.
    """
    connection = connections[using]
    connection.ensure_connection()  # opening it would reset transaction_mode
    outermost = not connection.in_atomic_block
    mode = getattr(connection, "transaction_mode", None)
    if connection.vendor == "sqlite" and outermost:
        connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql" and outermost:
                # Only the first statement of a transaction may set this.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    finally:
        if connection.vendor == "sqlite":
            connection.transaction_mode = mode


def _dump(path: Path, using: str) -> None:
    labels = [model._meta.label for model in dumped_models()]
    # Plain dumpdata JSON, with times kept to the microsecond (see serializer).
    serializers.register_serializer(serializer.FORMAT, serializer.__name__)
    call_command(
        "dumpdata",
        *labels,
        format=serializer.FORMAT,
        database=using,
        natural_foreign=True,
        indent=None,
        output=str(path),
        verbosity=0,
    )


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, BytesIO(data))
