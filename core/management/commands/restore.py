from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from core.backup import BackupError, backup_restore, remote_media_storage


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup` into a freshly migrated, empty "
        "database and an empty MEDIA_ROOT (or media bucket). Every checksum is "
        "verified first; a failure changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz file `backup` wrote.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to restore into (default: %(default)s).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace every row in a database that holds data, and set a "
            "non-empty MEDIA_ROOT aside (renamed, not deleted); with media in a "
            "bucket, replace its files of the same names.",
        )

    def handle(self, *args, **options):
        try:
            result = backup_restore(
                archive=Path(options["archive"]).resolve(),
                media_root=Path(settings.MEDIA_ROOT),
                storage=remote_media_storage(),
                using=options["database"],
                force=options["force"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.rows:,} rows and {result.media_files:,} media files."
            )
        )
        if result.replaced_media:
            self.stdout.write(
                f"The previous media folder is at {result.replaced_media}"
            )
        if not result.cache_emptied:
            self.stdout.write(
                self.style.WARNING(
                    "The shared cache could not be emptied: pages of the site "
                    "before the restore may be served until they expire "
                    f"({settings.NEWSROOM_PAGE_CACHE_SECONDS} s)."
                )
            )
        if settings.NEWSROOM_EDGE_PURGE != "none":
            self.stdout.write(
                "Purge everything at the CDN "
                f"({settings.NEWSROOM_EDGE_PURGE}) too, from its own console: "
                "it may still hold pages of the site before the restore."
            )
