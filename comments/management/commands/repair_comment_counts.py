from django.core.management.base import BaseCommand, CommandError

from comments.services import comment_counts_repair


class Command(BaseCommand):
    help = (
        "Recount every article's public comments from the rows and correct the "
        "stored counts that disagree (after an import or a hand edit). With "
        "--check, only report them and exit with status 1 if any is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report wrong counts without changing them; exit 1 if any.",
        )

    def handle(self, *args, check=False, **options):
        wrong = comment_counts_repair(dry_run=check)
        for pk, stored, actual in wrong:
            self.stdout.write(f"article {pk}: stored {stored}, counted {actual}")
        if not wrong:
            self.stdout.write("Every comment count is right.")
        elif check:
            raise CommandError(f"{len(wrong)} comment counts are wrong.")
        else:
            self.stdout.write(f"Corrected {len(wrong)} comment counts.")
