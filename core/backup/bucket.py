"""
Media in object storage (MEDIA_STORAGE=s3): listed, copied into the archive
and put back, through Django's storage API only.

``dump`` and ``restore`` work on files in a folder; for a bucket, the backup
first copies every object into its work folder (and from there into the
archive, with the same manifest as local media), and the restore uploads the
checked files from its work folder under their exact names as its last step.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

from core.backup.archive import CHUNK, BackupError


def remote_media_storage() -> Storage | None:
    """The media storage when it is not MEDIA_ROOT on this disk, else None."""
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def describe_storage(storage: Storage) -> str:
    """How messages name the store: "the media bucket NAME"."""
    name = getattr(storage, "bucket_name", None)
    return f"the media bucket {name}" if name else "the media storage"


def stored_names(storage: Storage, directory: str = "") -> list[str]:
    """Every file name in ``storage`` under ``directory``, sorted."""
    directories, files = storage.listdir(directory)
    names = [posixpath.join(directory, name) for name in files]
    for child in directories:
        names += stored_names(storage, posixpath.join(directory, child))
    return sorted(names)


def download(storage: Storage, names: Iterable[str], folder: Path) -> None:
    """Copy each stored file to ``folder``/name, byte for byte."""
    for name in names:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                out.write(chunk)


def check_empty(storage: Storage) -> None:
    if stored_names(storage):
        raise BackupError(
            f"{describe_storage(storage).capitalize()} is not empty. Restore into "
            "an empty bucket, or pass --force to replace the files the backup "
            "holds (others are left as they are). Nothing was restored."
        )


def upload(storage: Storage, folder: Path, names: Iterable[str]) -> list[str]:
    """
    Store every file of ``folder`` under its exact name; return the names.

    A file of the same name already there (``--force``) is replaced. When an
    upload fails, the files this call stored are deleted again and the error
    raised, so the caller's rollback leaves the bucket as it found it (apart
    from replaced files: object versioning keeps those).
    """
    stored: list[str] = []
    try:
        for name in names:
            if storage.exists(name):
                storage.delete(name)
            with (folder / name).open("rb") as file:
                saved = storage.save(name, File(file, name=name))
            stored.append(saved)
            if saved != name:
                raise BackupError(
                    f"{describe_storage(storage).capitalize()} stored {name} as "
                    f"{saved}; nothing was restored."
                )
        return stored
    except BaseException:
        remove(storage, stored)
        raise


def remove(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        storage.delete(name)
