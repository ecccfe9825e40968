"""
The archive's format: its members, its manifest, and which rows it carries.

``dump`` writes it and ``restore`` reads it; both use the names here, so the
two cannot disagree about what an archive holds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections, models
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "newsroom-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media/"

#: Models whose rows ``migrate`` makes, and which are therefore not in the dump.
NOT_DUMPED = frozenset({"contenttypes.contenttype", "auth.permission"})
#: Apps left out entirely: sessions are logins, not content.
NOT_DUMPED_APPS = frozenset({"sessions"})
#: Models ``migrate`` fills (roles, the moderation settings row): present in an
#: otherwise empty database, so they do not make it count as holding data.
MADE_BY_MIGRATE = frozenset({"auth.group", "comments.moderationsettings"})
#: Files are read, hashed and copied this many bytes at a time.
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused, with the message to show the person."""


# Which rows ----------------------------------------------------------------------


def dumped_models() -> list[type[models.Model]]:
    """Every concrete, managed model whose rows the archive carries."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in NOT_DUMPED_APPS
        and model._meta.label_lower not in NOT_DUMPED
    ]


def row_counts(using: str) -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.using(using).count()
        for model in dumped_models()
    }


def applied_migrations(using: str) -> dict[str, list[str]]:
    """App label to the sorted names of its applied migrations."""
    recorder = MigrationRecorder(connections[using])
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def media_files(media_root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every regular file under MEDIA_ROOT, sorted."""
    if not media_root.is_dir():
        return []
    return sorted(
        (path.relative_to(media_root).as_posix(), path)
        for path in media_root.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def describe(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}
