from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments.models import Comment
from comments.services import commenter_erase


class Command(BaseCommand):
    help = (
        "Erase a commenter's personal data: their comments are anonymised, the "
        "address leaves the audit log (the decisions stay), and an email ban "
        "stays in force as a digest. Cannot be undone."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, email, interactive=True, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        count = Comment.objects.by_email(email).count()
        if interactive:
            answer = input(
                f"Erase the personal data of {email} ({count} comments)? "
                "This cannot be undone. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        erasure = commenter_erase(email=email, via="manage.py commenter_erase")
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased {email}: {erasure.comments} comments anonymised, "
                f"{erasure.log_entries} audit log entries cleared, "
                f"{erasure.bans} bans kept as a digest."
            )
        )
