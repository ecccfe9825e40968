from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from core.backup import BackupError, backup_create, remote_media_storage


class Command(BaseCommand):
    help = (
        "Save the database and every media file into one .tar.gz archive with a "
        "manifest of row counts and checksums. `restore` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Where to write the archive (default: "
            "backups/newsroom-<date>-<time>.tar.gz).",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database to back up (default: %(default)s).",
        )

    def handle(self, *args, **options):
        output = options["output"]
        if not output:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.BASE_DIR) / "backups" / f"newsroom-{stamp}.tar.gz"
        output = Path(output).resolve()
        try:
            manifest = backup_create(
                output=output,
                media_root=Path(settings.MEDIA_ROOT),
                storage=remote_media_storage(),
                using=options["database"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows:,} rows and {len(manifest['media']):,} media "
                f"files to {output}"
            )
        )
