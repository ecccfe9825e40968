"""
Backing up the newsroom into one archive, and restoring it into an empty site.

The archive is a gzipped tar holding three kinds of member:

- ``manifest.json``: the format and its version, when and from which database
  it was made, the applied migrations, the row count of every model, and the
  size and SHA-256 of every other member;
- ``data.json``: every row, as Django's serializer writes it (``dumpdata``),
  with content types and permissions referred to by natural key, so the dump
  loads into a database whose ids for those differ (SQLite into PostgreSQL
  and back);
- ``media/<path>``: every file under MEDIA_ROOT, byte for byte; with media in
  a bucket (MEDIA_STORAGE=s3), every object in it, copied through Django's
  storage API, and put back there on restore (``bucket.py``).

Content types, permissions and sessions are not in it: ``migrate`` makes the
first two, and restoring sessions would log people back in.

A restore checks everything it can before touching anything: the archive
reads to its end, the format version is one it knows, the migrations match,
the database and media folder are empty (or ``force`` was given), and every
member's checksum matches. Then the rows are replaced in one transaction and
the media folder is swapped for the restored one (written beside it first) as
its last step, so a failure at any point leaves the site as it was.
"""

from core.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    BackupError,
    dumped_models,
    row_counts,
)
from core.backup.bucket import remote_media_storage
from core.backup.dump import backup_create
from core.backup.restore import RestoreResult, backup_restore

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "BackupError",
    "RestoreResult",
    "backup_create",
    "backup_restore",
    "dumped_models",
    "remote_media_storage",
    "row_counts",
]
