from django.core.management.base import BaseCommand

from core.jobs import housekeeping


class Command(BaseCommand):
    help = (
        "Delete the rows the site no longer needs: finished jobs, expired "
        "sessions, old webhook deliveries. A job worker does this every hour "
        "by itself (JOBS_HOUSEKEEPING_SECONDS); run this where no worker runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would go; delete nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        report = housekeeping.prune(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for name, count in report.items():
            self.stdout.write(f"{name}: {verb} {count}")
